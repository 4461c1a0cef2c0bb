import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

/**
 * OpenAPI 3 document built from the TypeBox route schemas, served at /openapi.json. Every route
 * must declare its request and response schemas; the shared error body is a named component.
 */
export default fp(
  async function openapi(app: FastifyInstance, opts: { service: string; version?: string; description?: string }) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: `Sunbae ${opts.service}`,
          version: opts.version ?? '0.0.0',
          ...(opts.description ? { description: opts.description } : {}),
        },
        components: {
          securitySchemes: {
            gatewayIdentity: {
              type: 'apiKey',
              in: 'header',
              name: 'x-sunbae-identity',
              description: 'Set by the gateway only; clients send a Firebase ID token to the gateway instead.',
            },
          },
        },
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
      },
    })
    app.get(
      '/openapi.json',
      {
        config: { otel: false },
        schema: {
          tags: ['meta'],
          summary: 'This service’s OpenAPI document',
          response: { 200: Type.Object({}, { additionalProperties: true }) },
        },
      },
      async () => app.swagger(),
    )
  },
  { name: 'sunbae-openapi' },
)
