import { randomUUID } from 'node:crypto'

/**
 * The walk over an OpenAPI document that the API-wide tests share (bad numbers in numbers.ts, the
 * route fuzz in fuzz.ts): every operation with its parameters and JSON body schema, `$ref`s resolved,
 * and a URL with accepted values in the path parameters that are not under test.
 */

export type Schema = Record<string, unknown>

export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>
  components?: { schemas?: Record<string, Schema> }
}

export interface InjectResponse {
  statusCode: number
  body: string
}

/** What `app.inject` of a Fastify instance offers (a built service or the gateway). */
export interface InjectTarget {
  inject(opts: { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer }): PromiseLike<InjectResponse>
}

export interface Operation {
  /** upper case, e.g. `GET` */
  method: string
  /** the OpenAPI path, e.g. `/api/mentors/{id}/reviews` */
  path: string
  /** path, query and header parameters (`name`, `in`, `required`, `schema` resolved in `schemaOf`) */
  parameters: Schema[]
  /** the `application/json` request body's schema, when the operation takes one */
  body: Schema | null
  /** the path with every `{param}` filled: `override` for the one under test, an accepted value for the others */
  urlFor(override?: { name: string; raw: string }, query?: string): string
  /** `name=value` pairs with accepted values for the required query parameters other than `except` */
  requiredQuery(except?: string): string[]
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete']

export function resolve(doc: OpenApiDocument, schema: unknown): Schema | null {
  let s = schema as Schema | undefined
  for (let hops = 0; s && typeof s.$ref === 'string' && hops < 10; hops++) {
    const ref = s.$ref as string
    const name = ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : ref
    s = doc.components?.schemas?.[name]
  }
  return s && typeof s === 'object' ? s : null
}

export type NumberKind = 'number' | 'integer'

/** The numeric kind of a schema, looking into unions (`integer | null`). */
export function numericKind(doc: OpenApiDocument, schema: Schema): { kind: NumberKind; schema: Schema } | null {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.includes('number')) return { kind: 'number', schema }
  if (types.includes('integer')) return { kind: 'integer', schema }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (schema[key] as unknown[] | undefined) ?? []) {
      const b = resolve(doc, branch)
      const found = b && numericKind(doc, b)
      if (found) return found
    }
  }
  return null
}

/** A string the format accepts, or null for a format this walk does not know; `later` for the end of a range (`to`). */
function formatted(format: unknown, later = false): string | null {
  switch (format) {
    case 'uuid':
      return randomUUID()
    case 'date':
      return later ? '2026-01-12' : '2026-01-05'
    case 'date-time':
      return later ? '2026-01-12T10:00:00.000Z' : '2026-01-05T10:00:00.000Z'
    case 'time':
      return '10:00'
    case 'email':
      return 'someone@example.test'
    case 'uri':
    case 'url':
      return 'https://example.test/'
    default:
      return null
  }
}

/** The end of a range (`to`, `until`, `endAt`): sampled after its start. */
const RANGE_END = /^(to|until|end)|End$|Until$/

/** A value the parameter named `name` accepts, for the parameters that are not under test. */
export function sample(doc: OpenApiDocument, schema: Schema | null, name = ''): string {
  if (!schema) return 'x'
  if (Array.isArray(schema.enum) && schema.enum.length) return String(schema.enum[0])
  if (schema.const !== undefined) return String(schema.const)
  if (schema.default !== undefined) return String(schema.default)
  if (numericKind(doc, schema)) return String(typeof schema.minimum === 'number' ? schema.minimum : 1)
  const f = formatted(schema.format, RANGE_END.test(name))
  if (f !== null) return f
  const anyOf = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined
  if (anyOf?.length) return sample(doc, resolve(doc, anyOf[0]), name)
  return 'a'
}

/**
 * A JSON value the schema plausibly accepts (every declared property, enums' first value, formats,
 * minimum lengths and counts), so that a request reaches the handler; patterns are not solved.
 */
export function sampleValue(doc: OpenApiDocument, schema: Schema | null, depth = 0, key = ''): unknown {
  if (!schema || depth > 8) return null
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0]
  if (schema.const !== undefined) return schema.const
  if (schema.default !== undefined) return schema.default
  for (const key of ['anyOf', 'oneOf']) {
    const branches = ((schema[key] as unknown[] | undefined) ?? []).map((b) => resolve(doc, b)).filter((b): b is Schema => !!b)
    if (branches.length) return sampleValue(doc, branches.find((b) => b.type !== 'null') ?? branches[0]!, depth + 1, key)
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type]
  const type = types.find((t) => t !== 'null') ?? types[0]
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [name, sub] of Object.entries((schema.properties as Record<string, unknown> | undefined) ?? {})) {
        out[name] = sampleValue(doc, resolve(doc, sub), depth + 1, name)
      }
      return out
    }
    case 'array': {
      const n = typeof schema.minItems === 'number' ? Math.max(1, schema.minItems) : 1
      return Array.from({ length: n }, () => sampleValue(doc, resolve(doc, schema.items), depth + 1, key))
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? Math.floor(schema.exclusiveMinimum) + 1 : 1
    case 'boolean':
      return true
    case 'null':
      return null
    case 'string': {
      const f = formatted(schema.format, RANGE_END.test(key))
      if (f !== null) return f
      return plausibleString(schema, key)
    }
    default:
      return schema.properties ? sampleValue(doc, { ...schema, type: 'object' }, depth + 1) : null
  }
}

/** Strings that fit common patterns (times, currencies, zones, names); the property's name breaks ties. */
function plausibleString(schema: Schema, key: string): string {
  const min = typeof schema.minLength === 'number' ? Math.max(1, schema.minLength) : 1
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity
  const candidates = [
    ...(/time_?zone/i.test(key) ? ['Asia/Seoul'] : []),
    ...(RANGE_END.test(key) ? ['20:00'] : []),
    'a'.repeat(min),
    '10:00',
    'KRW',
    'Asia/Seoul',
    'mentor',
    'https://example.test/',
  ]
  let pattern: RegExp | null = null
  try {
    pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null
  } catch {
    pattern = null
  }
  return candidates.find((c) => c.length >= min && c.length <= max && (!pattern || pattern.test(c))) ?? 'a'.repeat(min)
}

/** Every operation of the document (`include` filters by method and path), in document order. */
export function operations(doc: OpenApiDocument, include?: (method: string, path: string) => boolean): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method] as { parameters?: unknown[]; requestBody?: unknown } | undefined
      if (!op) continue
      const M = method.toUpperCase()
      if (include && !include(M, path)) continue
      const parameters = [...((item.parameters as unknown[] | undefined) ?? []), ...(op.parameters ?? [])]
        .map((p) => resolve(doc, p))
        .filter((p): p is Schema => !!p && typeof p.name === 'string')
      const pathParams = parameters.filter((p) => p.in === 'path')
      const content = (resolve(doc, op.requestBody)?.content ?? {}) as Record<string, { schema?: unknown }>
      const json = content['application/json']
      out.push({
        method: M,
        path,
        parameters,
        body: json ? resolve(doc, json.schema) : null,
        urlFor: (override, query) => {
          const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) =>
            override?.name === name ? override.raw : encodeURIComponent(sample(doc, resolve(doc, pathParams.find((p) => p.name === name)?.schema), name)),
          )
          return query ? `${filled}?${query}` : filled
        },
        requiredQuery: (except) =>
          parameters
            .filter((p) => p.in === 'query' && p.required === true && p.name !== except)
            .map((p) => `${encodeURIComponent(p.name as string)}=${encodeURIComponent(sample(doc, resolve(doc, p.schema), p.name as string))}`),
      })
    }
  }
  return out
}

/** The document a target serves at `url` (sent with `headers`). */
export async function fetchDocument(target: InjectTarget, url: string, headers: Record<string, string>): Promise<OpenApiDocument> {
  const res = await target.inject({ method: 'GET', url, headers })
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`)
  return JSON.parse(res.body) as OpenApiDocument
}

/** The answer, or null when none came within `ms`. */
export function answered<T>(p: PromiseLike<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    Promise.resolve(p),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
