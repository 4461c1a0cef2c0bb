/**
 * Who may call what, in one place. Everything under /api needs a valid Firebase ID token unless a
 * rule below makes it public; everything under /api/admin needs the admin role. Services check
 * authorization again themselves — this is the first gate, not the only one.
 *
 * Patterns: `:name` is one path segment, `**` one or more segments; a trailing slash is ignored.
 */
export type Access = 'public' | 'user' | 'admin'

export interface AccessRule {
  methods: readonly string[]
  pattern: string
  access: Access
  why: string
}

const READ = ['GET', 'HEAD'] as const

export const ACCESS_RULES: readonly AccessRule[] = [
  { methods: ['*'], pattern: '/api/admin', access: 'admin', why: 'admin area' },
  { methods: ['*'], pattern: '/api/admin/**', access: 'admin', why: 'admin area' },
  { methods: READ, pattern: '/api/mentors', access: 'public', why: 'mentor search' },
  { methods: READ, pattern: '/api/mentors/:id', access: 'public', why: 'mentor page' },
  { methods: READ, pattern: '/api/mentors/:id/**', access: 'public', why: 'mentor page parts (reviews, …)' },
  { methods: READ, pattern: '/api/tracking/keywords/trending', access: 'public', why: 'trending search keywords on the home page' },
  { methods: READ, pattern: '/api/meetings/mentors/:id/slots', access: 'public', why: 'a mentor’s free slots on the mentor page' },
  { methods: ['POST'], pattern: '/api/payments/webhooks/**', access: 'public', why: 'payment provider webhooks (verified by signature in payment)' },
  { methods: ['GET', 'POST'], pattern: '/api/notifications/unsubscribe', access: 'public', why: 'one-click unsubscribe links in emails (RFC 8058; the signed token is checked in notification)' },
]

/** Access of anything under /api no rule mentions. */
export const DEFAULT_ACCESS: Access = 'user'

interface CompiledRule {
  methods: ReadonlySet<string> | null
  regex: RegExp
  access: Access
  /** the literal start of the pattern, before any parameter */
  head: string
}

function compile(rule: AccessRule): CompiledRule {
  const source = rule.pattern
    .split('/')
    .map((segment) => (segment === '**' ? '[^/]+(?:/[^/]+)*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  const head = rule.pattern.split(/\/(?::|\*\*)/)[0] ?? rule.pattern
  return {
    methods: rule.methods.includes('*') ? null : new Set(rule.methods),
    regex: new RegExp(`^${source}/?$`),
    access: rule.access,
    head,
  }
}

const COMPILED = ACCESS_RULES.map(compile)

export type AccessCheck = (method: string, path: string) => Access

function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)
}

/**
 * The access check for the requests under one proxy prefix. Rules that cannot match below the prefix
 * are dropped up front, so most prefixes get a constant answer and pay nothing per request.
 */
export function accessFor(prefix: string): { constant: Access | null; check: AccessCheck } {
  // A rule covering the whole prefix for every method decides it alone (the admin area).
  const covering = COMPILED.find((r) => r.methods === null && r.regex.test(`${prefix}/x`) && r.regex.test(prefix))
  if (covering) {
    const access = covering.access
    return { constant: access, check: () => access }
  }
  const candidates = COMPILED.filter((r) => within(r.head, prefix) || within(prefix, r.head))
  if (candidates.length === 0) return { constant: DEFAULT_ACCESS, check: () => DEFAULT_ACCESS }
  return {
    constant: null,
    check: (method, path) => {
      for (const rule of candidates) {
        if ((rule.methods === null || rule.methods.has(method)) && rule.regex.test(path)) return rule.access
      }
      return DEFAULT_ACCESS
    },
  }
}

/** For any path (not only under a known prefix): the same rules without the per-prefix shortcut. */
export function accessOf(method: string, path: string): Access {
  for (const rule of COMPILED) {
    if ((rule.methods === null || rule.methods.has(method)) && rule.regex.test(path)) return rule.access
  }
  return DEFAULT_ACCESS
}
