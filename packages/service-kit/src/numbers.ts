/**
 * Numbers a request may carry: finite, and integers within ±(2^53 − 1).
 *
 * Ajv lets two kinds through. Coercion turns the query string `limit=1e400` (or `Infinity`) into
 * Infinity, and with `strictNumbers` the number keywords (minimum, maximum, multipleOf) are then
 * skipped for it without an error, so `?limit=1e400` reaches the handler as Infinity. And
 * `Type.Integer()` accepts 1e300 or 2^53 + 1, which are whole numbers JavaScript cannot count with.
 * Each route's schema is therefore given one more keyword on every number and integer before it is
 * compiled (a copy: the route keeps its schema for OpenAPI and serialization), checked after
 * coercion on every part of every request.
 */

export const NUMBER_KEYWORD = 'x-sunbae-number'

type Kind = 'number' | 'integer'
type AjvLike = { addKeyword(def: Record<string, unknown>): unknown }
type KeywordIssue = { keyword: string; message: string; params: Record<string, unknown> }

/** Keys whose values are data, not subschemas. */
const DATA_KEYS = new Set(['const', 'enum', 'default', 'examples', 'example'])

function kindOf(type: unknown): Kind | null {
  const types = Array.isArray(type) ? type : [type]
  if (types.includes('integer') && !types.includes('number')) return 'integer'
  return types.includes('number') ? 'number' : types.includes('integer') ? 'integer' : null
}

const guarded = new WeakMap<object, unknown>()

/** A copy of `schema` with the keyword on every number/integer subschema (memoized per schema object). */
export function guardNumbers<T>(schema: T): T {
  if (schema === null || typeof schema !== 'object') return schema
  const hit = guarded.get(schema as object)
  if (hit !== undefined) return hit as T
  let copy: unknown
  if (Array.isArray(schema)) {
    copy = schema.map((item) => guardNumbers(item))
  } else {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
      out[key] = DATA_KEYS.has(key) ? value : guardNumbers(value)
    }
    const kind = kindOf(out.type)
    if (kind) out[NUMBER_KEYWORD] = kind
    copy = out
  }
  guarded.set(schema as object, copy)
  return copy as T
}

function check(kind: Kind, data: unknown): boolean {
  const self = check as typeof check & { errors?: KeywordIssue[] | null }
  self.errors = null
  if (typeof data !== 'number') return true
  if (!Number.isFinite(data)) {
    self.errors = [{ keyword: NUMBER_KEYWORD, message: 'must be a finite number', params: { kind } }]
    return false
  }
  if (kind === 'integer' && !Number.isSafeInteger(data) && Number.isInteger(data)) {
    self.errors = [
      {
        keyword: NUMBER_KEYWORD,
        message: `must be an integer between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
        params: { kind },
      },
    ]
    return false
  }
  return true
}

/**
 * Ajv plugin (the `ajv.plugins` of Fastify's validator compiler) adding the keyword. It has no data
 * type, so Ajv runs it on every value, after coercion, even where the number keywords were skipped.
 */
export function numberGuardPlugin(ajv: AjvLike): AjvLike {
  ajv.addKeyword({ keyword: NUMBER_KEYWORD, schemaType: 'string', errors: true, validate: check })
  return ajv
}
