import { answered, fetchDocument, numericKind, operations, resolve, type InjectResponse, type InjectTarget, type NumberKind, type OpenApiDocument, type Schema } from './openapi.ts'

export type { InjectTarget, OpenApiDocument } from './openapi.ts'

/**
 * Every numeric input of an API, refused when it is not a number the service can count with:
 * walks an OpenAPI document (a service's /openapi.json, or the gateway's merged one) and sends each
 * number or integer in a query string, path, header or JSON body values such as `1e400`, `Infinity`,
 * `NaN` and, for integers, 1e300 and 2^53 + 1. Each must answer 400 VALIDATION_FAILED in the
 * platform's error shape, naming the field, and must answer at all (the defect this guards against
 * was a request that kept a service busy for hours). A new route is covered without editing a test.
 */

type Kind = NumberKind
type Part = 'querystring' | 'params' | 'headers' | 'body'

export interface NumericInput {
  method: string
  /** the OpenAPI path, e.g. `/api/mentors/{id}/reviews` */
  path: string
  /** as the error details name it, e.g. `querystring/page`, `body/price/amount` */
  field: string
  kind: Kind
}

export interface NumericRefusal extends NumericInput {
  value: string
  status: number | null
  body: string
  why: string
}

export interface BadNumbersOptions {
  /** the document to walk; default: GET `documentUrl` from the target */
  document?: OpenApiDocument
  /** default `/openapi.json` */
  documentUrl?: string
  /** headers for every request, e.g. a fresh signed identity (called per request) */
  headers?: () => Record<string, string>
  /** only operations for which this is true (e.g. `/api/` paths at the gateway) */
  include?: (method: string, path: string) => boolean
  /** how long one request may take to be answered at all; default 10 s */
  answerWithinMs?: number
}

const MAX_DEPTH = 4

/** Not numbers at all, or not ones a service can work with. */
const NON_FINITE = ['1e400', '-1e400', 'Infinity', '-Infinity', 'NaN']
const UNSAFE_INTEGERS = ['1e300', '-1e308', '9007199254740993', '-9007199254740993']
/** A JSON body cannot say Infinity or NaN; 1e400 it can, and JSON.parse makes it Infinity. */
const JSON_NON_FINITE = ['1e400', '-1e400']

function valuesFor(kind: Kind, schema: Schema, inJson: boolean): string[] {
  const values = [...(inJson ? JSON_NON_FINITE : NON_FINITE)]
  if (kind === 'integer') values.push(...UNSAFE_INTEGERS)
  else {
    // a finite number is refused only by a declared bound
    if (typeof schema.maximum === 'number' && schema.maximum < 1e308) values.push('1e308')
    if (typeof schema.minimum === 'number' && schema.minimum > -1e308) values.push('-1e308')
  }
  return values
}

/** Numeric leaves of a JSON body schema: their path (as Ajv names it) and kind. */
function bodyLeaves(doc: OpenApiDocument, schema: Schema | null, path: string[], depth: number, out: { path: string[]; kind: Kind; schema: Schema }[]): void {
  if (!schema || depth > MAX_DEPTH) return
  const numeric = numericKind(doc, schema)
  if (numeric) {
    if (path.length) out.push({ path, ...numeric })
    return
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (schema[key] as unknown[] | undefined) ?? []) bodyLeaves(doc, resolve(doc, branch), path, depth + 1, out)
  }
  const properties = schema.properties as Record<string, unknown> | undefined
  for (const [name, sub] of Object.entries(properties ?? {})) bodyLeaves(doc, resolve(doc, sub), [...path, name], depth + 1, out)
  if (schema.items && typeof schema.items === 'object') bodyLeaves(doc, resolve(doc, schema.items), [...path, '0'], depth + 1, out)
}

/** `{"a":{"b":<raw>}}`, `{"a":[<raw>]}`: the literal goes in as text, since JSON.stringify cannot write 1e400. */
function bodyWith(path: string[], raw: string): string {
  const MARK = '"__sunbae_number__"'
  let value: unknown = JSON.parse(MARK)
  for (let i = path.length - 1; i >= 0; i--) {
    value = /^\d+$/.test(path[i]!) ? [value] : { [path[i]!]: value }
  }
  return JSON.stringify(value).replace(MARK, raw)
}

interface Case extends NumericInput {
  value: string
  request: { method: string; url: string; headers: Record<string, string>; payload?: string }
}

function casesOf(doc: OpenApiDocument, include: BadNumbersOptions['include']): { inputs: NumericInput[]; cases: Case[] } {
  const inputs: NumericInput[] = []
  const cases: Case[] = []
  for (const { method: M, path, parameters, body, urlFor, requiredQuery } of operations(doc, include)) {
    for (const p of parameters) {
      const schema = resolve(doc, p.schema)
      // `?ids=1&ids=2` of an array of numbers: each value is checked like a single one
      const items = schema?.type === 'array' ? resolve(doc, schema.items) : null
      const numeric = schema && (numericKind(doc, schema) ?? (items && numericKind(doc, items)))
      const part: Part | null = p.in === 'query' ? 'querystring' : p.in === 'path' ? 'params' : p.in === 'header' ? 'headers' : null
      if (!numeric || !part) continue
      const name = p.name as string
      const field = `${part}/${part === 'headers' ? name.toLowerCase() : name}`
      inputs.push({ method: M, path, field, kind: numeric.kind })
      for (const value of valuesFor(numeric.kind, numeric.schema, false)) {
        const base = { method: M, path, field, kind: numeric.kind, value }
        if (part === 'querystring') {
          const query = [...requiredQuery(name), `${encodeURIComponent(name)}=${encodeURIComponent(value)}`].join('&')
          cases.push({ ...base, request: { method: M, url: urlFor(undefined, query), headers: {} } })
        } else if (part === 'params') {
          cases.push({ ...base, request: { method: M, url: urlFor({ name, raw: encodeURIComponent(value) }), headers: {} } })
        } else {
          cases.push({ ...base, request: { method: M, url: urlFor(), headers: { [name.toLowerCase()]: value } } })
        }
      }
    }
    if (!body) continue
    const leaves: { path: string[]; kind: Kind; schema: Schema }[] = []
    bodyLeaves(doc, body, [], 0, leaves)
    const seen = new Set<string>()
    for (const leaf of leaves) {
      const field = ['body', ...leaf.path].join('/')
      if (seen.has(field)) continue
      seen.add(field)
      inputs.push({ method: M, path, field, kind: leaf.kind })
      for (const value of valuesFor(leaf.kind, leaf.schema, true)) {
        cases.push({
          method: M,
          path,
          field,
          kind: leaf.kind,
          value,
          request: { method: M, url: urlFor(), headers: { 'content-type': 'application/json' }, payload: bodyWith(leaf.path, value) },
        })
      }
    }
  }
  return { inputs, cases }
}

/** Why the answer is not the platform's 400 for this field, or null when it is. */
function problem(res: InjectResponse, field: string): string | null {
  if (res.statusCode !== 400) return `status ${res.statusCode}, not 400`
  let body: { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } }
  try {
    body = JSON.parse(res.body)
  } catch {
    return 'the body is not JSON'
  }
  const e = body.error
  if (!e || typeof e.message !== 'string' || typeof e.requestId !== 'string') return 'not the platform error shape'
  if (e.code !== 'VALIDATION_FAILED') return `code ${String(e.code)}, not VALIDATION_FAILED`
  const details = Array.isArray(e.details) ? (e.details as { field?: unknown }[]) : []
  const named = details.some((d) => typeof d.field === 'string' && (d.field === field || d.field.startsWith(`${field}/`)))
  return named ? null : `details do not name ${field}`
}

/**
 * Sends every bad number to every numeric input of the document; returns the inputs found and the
 * answers that were not a 400 naming the field (empty when the API refuses them all).
 */
export async function refuseBadNumbers(target: InjectTarget, opts: BadNumbersOptions = {}): Promise<{ inputs: NumericInput[]; refusals: number; failures: NumericRefusal[] }> {
  const headers = opts.headers ?? (() => ({}))
  const doc = opts.document ?? (await fetchDocument(target, opts.documentUrl ?? '/openapi.json', headers()))
  const { inputs, cases } = casesOf(doc, opts.include)
  const failures: NumericRefusal[] = []
  const within = opts.answerWithinMs ?? 10_000
  for (const c of cases) {
    const { request, ...input } = c
    const res = await answered(target.inject({ ...request, headers: { ...headers(), ...request.headers } }), within)
    if (!res) {
      failures.push({ ...input, status: null, body: '', why: `no answer within ${within} ms` })
      continue
    }
    const why = problem(res, c.field)
    if (why) failures.push({ ...input, status: res.statusCode, body: res.body.slice(0, 300), why })
  }
  return { inputs, refusals: cases.length, failures }
}

/** What `checkBadNumbersRefused` needs of a tap test. */
export interface Assertions {
  ok(value: unknown, message: string): unknown
  same(found: unknown, wanted: unknown, message: string): unknown
}

/**
 * A service's bad-number test in one call: walks the document, asserts that the walk found at least
 * the `known` inputs (`"GET /api/x/ querystring/limit"`: a walk that finds nothing cannot pass), and
 * that every bad value was a 400 naming its field.
 */
export async function checkBadNumbersRefused(t: Assertions, target: InjectTarget, opts: BadNumbersOptions & { known: readonly string[] }): Promise<void> {
  const { inputs, refusals, failures } = await refuseBadNumbers(target, opts)
  const found = new Set(inputs.map((i) => `${i.method} ${i.path} ${i.field}`))
  for (const known of opts.known) t.ok(found.has(known), `found ${known}`)
  t.ok(refusals > 0, `${refusals} bad values sent to ${inputs.length} inputs`)
  t.same(failures, [], 'every one answered 400 VALIDATION_FAILED naming the field')
}

/** What `badNumbersTest` needs of tap: a subtest with assertions and a teardown. */
export interface TestHost {
  test(name: string, fn: (t: Assertions & { teardown(fn: () => unknown): void }) => Promise<void>): unknown
}

/**
 * A service's whole bad-number test file in one call (issue 16: `?limit=1e400` was coerced to
 * Infinity and passed the schema's bounds; one such request kept matching busy for hours). Every
 * numeric input of the service's OpenAPI document, found anew on each run, must refuse non-finite
 * and unsafe numbers with a 400 naming the field (`checkBadNumbersRefused`). Send an admin's signed
 * identity as `headers`, so that no route answers 401 before its input is looked at.
 */
export function badNumbersTest(
  t: TestHost,
  build: () => Promise<InjectTarget & { close(): Promise<unknown> }>,
  opts: BadNumbersOptions & { known: readonly string[] },
): void {
  t.test('every numeric input of the OpenAPI document refuses non-finite and huge numbers', async (t) => {
    const app = await build()
    t.teardown(() => app.close())
    await checkBadNumbersRefused(t, app, opts)
  })
}
