import { answered, fetchDocument, numericKind, operations, resolve, sampleValue, type InjectTarget, type OpenApiDocument, type Operation, type Schema } from './openapi.ts'
import type { Assertions, TestHost } from './numbers.ts'

/**
 * A route fuzz driven by an OpenAPI document (issue 20): every operation of the document, found anew
 * on each run, gets a bounded, seeded set of bad requests — wrong types, missing and extra fields,
 * huge and non-finite numbers, 100 KB strings, bad UTF-8 in the body, the query and the path, deeply
 * nested JSON, wrong content types, a random non-existent id — from an anonymous caller, a mentee,
 * a mentor and an admin. Every answer must be below 500; every 4xx must be the platform's error
 * shape; no body may carry a stack frame, a source path, SQL text or an internal host.
 */

export type FuzzRole = 'anonymous' | 'mentee' | 'mentor' | 'admin'
export const FUZZ_ROLES: readonly FuzzRole[] = ['anonymous', 'mentee', 'mentor', 'admin']

export interface FuzzOptions {
  /** the document to walk; default: GET `documentUrl` from the target as an admin */
  document?: OpenApiDocument
  /** default `/openapi.json` */
  documentUrl?: string
  /** the headers that make a caller of `role` (called per request: signed identities age) */
  identity: (role: Exclude<FuzzRole, 'anonymous'>) => Record<string, string>
  /** only operations for which this is true */
  include?: (method: string, path: string) => boolean
  /** the seed of the choices (which fields, which wrong type, which role); same seed, same requests */
  seed?: number
  /** at most this many field-level cases (wrong type, 100 KB string) per kind and operation; default 12 */
  fieldsPerOperation?: number
  /** how long one request may take to be answered at all; default 10 s */
  answerWithinMs?: number
}

export interface FuzzFailure {
  method: string
  path: string
  case: string
  role: FuzzRole
  url: string
  status: number | null
  body: string
  why: string
}

export interface FuzzResult {
  operations: number
  requests: number
  /** how many answers had each status */
  statuses: Record<number, number>
  failures: FuzzFailure[]
}

interface FuzzCase {
  name: string
  /** no route may accept it: the answer must be a 4xx */
  refused?: boolean
  /** the answer must be a 404 */
  notFound?: boolean
  role: FuzzRole
  url: string
  headers?: Record<string, string>
  payload?: string | Buffer
}

/** A small seeded generator (mulberry32): the same seed makes the same requests. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const KB100 = 'ê'.repeat(50 * 1024) // 100 KB of UTF-8, not one byte repeated
const DEEP = 10_000
/** 0xC3 0x28: a lead byte followed by one that cannot continue it. */
const BAD_UTF8 = Buffer.from([0xc3, 0x28])

/** A JSON value of another type than the schema's, chosen by `pick`. */
function wrongTypeOf(doc: OpenApiDocument, schema: Schema, pick: number): unknown {
  const types = new Set<string>((Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is string => typeof t === 'string'))
  if (numericKind(doc, schema)) types.add('number').add('integer')
  const candidates: [string, unknown][] = [
    ['string', 'not-the-right-type'],
    ['number', 12.5],
    ['object', { nested: true }],
    ['array', ['a', 1]],
    ['null', null],
    ['boolean', false],
  ]
  const wrong = candidates.filter(([t]) => !types.has(t))
  return wrong[Math.floor(pick * wrong.length)]![1]
}

interface Leaf {
  path: string[]
  schema: Schema
}

/** The leaves of a body schema (its properties, depth-first, the first array item), up to a depth. */
function leavesOf(doc: OpenApiDocument, schema: Schema | null, path: string[] = [], out: Leaf[] = [], depth = 0): Leaf[] {
  if (!schema || depth > 4) return out
  const properties = schema.properties as Record<string, unknown> | undefined
  if (properties && Object.keys(properties).length) {
    for (const [name, sub] of Object.entries(properties)) leavesOf(doc, resolve(doc, sub), [...path, name], out, depth + 1)
    return out
  }
  if (schema.type === 'array' && schema.items && path.length) {
    out.push({ path, schema })
    leavesOf(doc, resolve(doc, schema.items), [...path, '0'], out, depth + 1)
    return out
  }
  if (path.length) out.push({ path, schema })
  return out
}

function isString(doc: OpenApiDocument, schema: Schema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.includes('string')) return true
  return ((schema.anyOf ?? schema.oneOf) as unknown[] | undefined)?.some((b) => {
    const r = resolve(doc, b)
    return !!r && isString(doc, r)
  }) ?? false
}

/** A copy of `value` with the leaf at `path` replaced (arrays and objects made where missing). */
function withLeaf(value: unknown, path: string[], leaf: unknown): unknown {
  if (!path.length) return leaf
  const [head, ...rest] = path as [string, ...string[]]
  if (/^\d+$/.test(head)) {
    const arr = Array.isArray(value) ? [...(value as unknown[])] : []
    arr[Number(head)] = withLeaf(arr[Number(head)], rest, leaf)
    return arr
  }
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {}
  obj[head] = withLeaf(obj[head], rest, leaf)
  return obj
}

/** `n` of `items`, chosen by `rand` without repeats, in their order. */
function choose<T>(items: T[], n: number, rand: () => number): T[] {
  if (items.length <= n) return items
  const picked = new Set<number>()
  while (picked.size < n) picked.add(Math.floor(rand() * items.length))
  return [...picked].sort((a, b) => a - b).map((i) => items[i]!)
}

const JSON_TYPE = { 'content-type': 'application/json' }

/** The bounded, seeded cases of one operation. */
function casesOf(doc: OpenApiDocument, op: Operation, rand: () => number, perKind: number): FuzzCase[] {
  const cases: FuzzCase[] = []
  // roles rotate over the cases from a seeded start, so each operation sees all four
  let turn = Math.floor(rand() * FUZZ_ROLES.length)
  const role = () => FUZZ_ROLES[turn++ % FUZZ_ROLES.length]!
  const query = op.requiredQuery().join('&')
  const url = op.urlFor(undefined, query)
  const withBody = op.method !== 'GET'
  const valid = op.body ? sampleValue(doc, op.body) : undefined
  const json = (v: unknown) => ({ headers: JSON_TYPE, payload: JSON.stringify(v) })
  const validBody = op.body ? json(valid) : {}

  const pathParams = op.parameters.filter((p) => p.in === 'path')
  // a plausible request as every role: reaches the handlers (and may create rows, in this file's
  // database); a uuid in the path is a fresh one nobody has, so those answer 404 in the error shape
  const plausible = pathParams.length ? 'plausible, random ids' : 'plausible'
  for (const r of FUZZ_ROLES) cases.push({ name: plausible, role: r, url: op.urlFor(undefined, query), ...validBody })
  // reading something by an id nobody has, as the role that may read anything: 404 in the error shape
  const ids = pathParams.filter((p) => resolve(doc, p.schema)?.format === 'uuid')
  if (op.method === 'GET' && ids.length && ids.length === pathParams.length) {
    cases.push({ name: 'non-existent id', notFound: true, role: 'admin', url: op.urlFor(undefined, query), ...validBody })
  }

  if (pathParams.length) {
    for (const p of pathParams) {
      const name = p.name as string
      cases.push({ name: `path ${name}: bad UTF-8`, refused: true, role: role(), url: op.urlFor({ name, raw: '%C3%28' }, query), ...validBody })
      cases.push({ name: `path ${name}: 100 KB`, refused: true, role: role(), url: op.urlFor({ name, raw: encodeURIComponent(KB100) }, query), ...validBody })
    }
  }

  const queryParams = op.parameters.filter((p) => p.in === 'query')
  for (const p of choose(queryParams, perKind, rand)) {
    const name = p.name as string
    const others = op.requiredQuery(name)
    const q = (raw: string) => op.urlFor(undefined, [...others, `${encodeURIComponent(name)}=${raw}`].join('&'))
    const schema = resolve(doc, p.schema) ?? {}
    // a word for a number; two values (an array) for a string
    cases.push({ name: `query ${name}: wrong type`, role: role(), url: q(numericKind(doc, schema) ? 'abc' : `a&${encodeURIComponent(name)}=b`), ...validBody })
    cases.push({ name: `query ${name}: 100 KB`, role: role(), url: q(encodeURIComponent(KB100)), ...validBody })
    cases.push({ name: `query ${name}: bad UTF-8`, refused: true, role: role(), url: q('%C3%28'), ...validBody })
    cases.push({ name: `query ${name}: non-finite`, role: role(), url: q('1e400'), ...validBody })
  }
  // an undeclared query parameter with bad UTF-8
  cases.push({ name: 'extra query: bad UTF-8', refused: true, role: role(), url: op.urlFor(undefined, [...op.requiredQuery(), 'fuzz=%C3%28'].join('&')), ...validBody })

  if (op.body) {
    cases.push({ name: 'body: missing fields', role: role(), url, ...json({}) })
    cases.push({ name: 'body: no body', role: role(), url, headers: JSON_TYPE })
    cases.push({ name: 'body: extra field', role: role(), url, ...json(valid && typeof valid === 'object' && !Array.isArray(valid) ? { ...valid, fuzzExtra: 'x' } : { fuzzExtra: 'x' }) })
    for (const wrong of [[], 'text', 7, null]) cases.push({ name: `body: ${JSON.stringify(wrong)} as the body`, role: role(), url, ...json(wrong) })
    const leaves = leavesOf(doc, op.body)
    for (const leaf of choose(leaves, perKind, rand)) {
      cases.push({ name: `body ${leaf.path.join('/')}: wrong type`, role: role(), url, ...json(withLeaf(valid, leaf.path, wrongTypeOf(doc, leaf.schema, rand()))) })
    }
    for (const leaf of choose(leaves.filter((l) => isString(doc, l.schema)), perKind, rand)) {
      cases.push({ name: `body ${leaf.path.join('/')}: 100 KB`, role: role(), url, ...json(withLeaf(valid, leaf.path, KB100)) })
    }
    const numeric = leaves.find((l) => numericKind(doc, l.schema))
    if (numeric) {
      const MARK = '"__fuzz_number__"'
      for (const raw of ['1e400', '-1e400', '1e308']) {
        cases.push({ name: `body ${numeric.path.join('/')}: ${raw}`, role: role(), url, headers: JSON_TYPE, payload: JSON.stringify(withLeaf(valid, numeric.path, JSON.parse(MARK))).replace(MARK, raw) })
      }
    }
    // bad UTF-8 inside a string of an otherwise plausible body (or as the whole body)
    const text = leaves.find((l) => isString(doc, l.schema))
    const MARK = '__fuzz_utf8__'
    const [before, after] = text ? JSON.stringify(withLeaf(valid, text.path, MARK)).split(MARK) : ['"', '"']
    cases.push({ name: 'body: bad UTF-8', refused: true, role: role(), url, headers: JSON_TYPE, payload: Buffer.concat([Buffer.from(before!), BAD_UTF8, Buffer.from(after!)]) })
  }
  if (withBody) {
    cases.push({ name: 'body: 10,000 nested arrays', refused: true, role: role(), url, headers: JSON_TYPE, payload: '['.repeat(DEEP) + ']'.repeat(DEEP) })
    cases.push({ name: 'body: 10,000 nested objects', refused: true, role: role(), url, headers: JSON_TYPE, payload: '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP) })
    cases.push({ name: 'body: invalid JSON', refused: true, role: role(), url, headers: JSON_TYPE, payload: '{"a":' })
    const text = JSON.stringify(valid ?? {})
    cases.push({ name: 'content type: text/plain', role: role(), url, headers: { 'content-type': 'text/plain' }, payload: text })
    cases.push({ name: 'content type: application/xml', refused: true, role: role(), url, headers: { 'content-type': 'application/xml' }, payload: '<a><b>1</b></a>' })
    const boundary = 'fuzzboundary'
    cases.push({
      name: 'content type: multipart',
      refused: true,
      role: role(),
      url,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n${text}\r\n--${boundary}--\r\n`,
    })
  }
  return cases
}

/** What must never be in a body: stack frames, source paths, internal hosts (any status). */
const LEAKS: [RegExp, string][] = [
  // `    at f (file:1:2)`, also JSON-escaped after a `\n`
  [/(\n|\\n)\s*at \S| {4}at \S/, 'a stack frame'],
  [/\/work\/|node_modules|\.[cm]?[jt]s:\d+/, 'a source path'],
  [/postgres(ql)?:\/\/|nats:\/\/|mongodb:\/\//i, 'a connection URL'],
  [/(127\.0\.0\.1|localhost):(5432|4222|8222|27017|9099|8181)\b/, 'an internal host'],
]
/** What must never be in an error: SQL text or a driver's words. */
const SQL: [RegExp, string][] = [
  [/\bselect\s+[\w"*]|\binsert into\b|\bdelete from\b|\bupdate\s+"?\w+"?\s+set\b/i, 'SQL text'],
  [/relation "|column "|syntax error at or near|violates (unique|foreign key|check|not-null) constraint/i, "the database's words"],
]

/** Why the answer breaks a rule, or null. */
function problem(res: { statusCode: number; body: string }): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`
  for (const [re, what] of LEAKS) if (re.test(res.body)) return `the body holds ${what}`
  if (res.statusCode < 400) return null
  // JSON escapes the quotes of `relation "users"`
  const text = res.body.replace(/\\"/g, '"')
  for (const [re, what] of SQL) if (re.test(text)) return `the error holds ${what}`
  let body: { error?: { code?: unknown; message?: unknown; requestId?: unknown } }
  try {
    body = JSON.parse(res.body)
  } catch {
    return 'the error is not JSON'
  }
  const e = body?.error
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.requestId !== 'string') return 'not the platform error shape'
  return null
}

/** Sends the fuzz's requests, one at a time; returns what was sent and every answer that broke a rule. */
export async function fuzzRoutes(target: InjectTarget, opts: FuzzOptions): Promise<FuzzResult> {
  const doc = opts.document ?? (await fetchDocument(target, opts.documentUrl ?? '/openapi.json', opts.identity('admin')))
  const rand = seeded(opts.seed ?? 20)
  const within = opts.answerWithinMs ?? 10_000
  const ops = operations(doc, opts.include)
  const result: FuzzResult = { operations: ops.length, requests: 0, statuses: {}, failures: [] }
  for (const op of ops) {
    for (const c of casesOf(doc, op, rand, opts.fieldsPerOperation ?? 12)) {
      const url = c.url
      const headers = { ...(c.role === 'anonymous' ? {} : opts.identity(c.role)), ...c.headers }
      result.requests++
      const fail = (status: number | null, body: string, why: string) =>
        result.failures.push({ method: op.method, path: op.path, case: c.name, role: c.role, url: url.slice(0, 200), status, body: body.slice(0, 500), why })
      const sent = target.inject({ method: op.method, url, headers, ...(c.payload !== undefined ? { payload: c.payload } : {}) })
      let res
      try {
        res = await answered(sent, within)
      } catch (err) {
        fail(null, '', `the request failed: ${(err as Error).message}`)
        continue
      }
      if (!res) {
        fail(null, '', `no answer within ${within} ms`)
        continue
      }
      result.statuses[res.statusCode] = (result.statuses[res.statusCode] ?? 0) + 1
      const why =
        problem(res) ??
        (c.refused && res.statusCode < 400 ? `status ${res.statusCode}: accepted what no route may accept` : null) ??
        (c.notFound && res.statusCode !== 404 ? `status ${res.statusCode}, not 404 for an id nobody has` : null)
      if (why) fail(res.statusCode, res.body, why)
    }
  }
  return result
}

/**
 * A service's fuzz test file in one call: builds the app, fuzzes every operation of its document and
 * asserts that the walk found operations (one that finds none cannot pass) and that no answer broke a
 * rule; the count of requests and the time go in the assertion's message.
 */
export function fuzzTest(t: TestHost, build: () => Promise<InjectTarget & { close(): Promise<unknown> }>, opts: FuzzOptions & { minOperations: number }): void {
  t.test('every operation of the OpenAPI document survives the fuzz: no 5xx, errors in shape, nothing internal', async (t) => {
    const app = await build()
    t.teardown(() => app.close())
    await checkFuzz(t, app, opts)
  })
}

/** The fuzz's assertions, for a test that builds its own target. */
export async function checkFuzz(t: Assertions, target: InjectTarget, opts: FuzzOptions & { minOperations: number }): Promise<FuzzResult> {
  const started = performance.now()
  const result = await fuzzRoutes(target, opts)
  const ms = Math.round(performance.now() - started)
  t.ok(result.operations >= opts.minOperations, `${result.operations} operations walked (at least ${opts.minOperations})`)
  t.same(result.failures, [], `${result.requests} requests in ${ms} ms: no 5xx, every 4xx in the error shape, nothing internal in a body (statuses ${JSON.stringify(result.statuses)})`)
  return result
}
