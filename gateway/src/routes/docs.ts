import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { ProxyRoute } from '../route-map.ts'

interface OpenApiDoc {
  paths?: Record<string, unknown>
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
}

const CACHE_MS = 60_000

/**
 * One OpenAPI document for the whole public API: each service's /openapi.json, limited to the paths
 * the gateway routes to it, merged. Services that do not answer are listed, not fatal.
 */
export default async function docsRoute(app: FastifyInstance, opts: { routes: ProxyRoute[]; timeoutMs: number }) {
  const byUpstream = new Map<string, { service: string; prefixes: string[] }>()
  for (const r of opts.routes) {
    const entry = byUpstream.get(r.upstream) ?? { service: r.service, prefixes: [] }
    entry.prefixes.push(r.prefix)
    byUpstream.set(r.upstream, entry)
  }
  let cached: { at: number; doc: Record<string, unknown> } | null = null

  async function build(): Promise<Record<string, unknown>> {
    const paths: Record<string, unknown> = {}
    const schemas: Record<string, unknown> = {}
    const unavailable: string[] = []
    await Promise.all(
      [...byUpstream].map(async ([upstream, { service, prefixes }]) => {
        try {
          const res = await fetch(`${upstream}/openapi.json`, { signal: AbortSignal.timeout(opts.timeoutMs) })
          if (!res.ok) throw new Error(`status ${res.status}`)
          const doc = (await res.json()) as OpenApiDoc
          for (const [path, item] of Object.entries(doc.paths ?? {})) {
            if (prefixes.some((p) => path === p || path.startsWith(`${p}/`))) paths[path] = item
          }
          Object.assign(schemas, doc.components?.schemas ?? {})
        } catch (err) {
          app.log.warn({ err, service, upstream }, 'could not load a service’s OpenAPI document')
          unavailable.push(service)
        }
      }),
    )
    return {
      openapi: '3.1.0',
      info: {
        title: 'Sunbae API',
        version: '0.1.0',
        description:
          'Send a Firebase ID token as `Authorization: Bearer <token>`. Errors: `{ "error": { "code", "message", "details"?, "requestId" } }`.' +
          (unavailable.length ? ` Missing (service did not answer): ${unavailable.sort().join(', ')}.` : ''),
      },
      components: {
        schemas,
        securitySchemes: { firebase: { type: 'http', scheme: 'bearer', bearerFormat: 'Firebase ID token (JWT)' } },
      },
      security: [{ firebase: [] }],
      paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    }
  }

  app.get(
    '/api/docs/openapi.json',
    {
      schema: {
        tags: ['meta'],
        summary: 'OpenAPI document of the public API, merged from the services',
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async () => {
      if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), doc: await build() }
      return cached.doc
    },
  )
}
