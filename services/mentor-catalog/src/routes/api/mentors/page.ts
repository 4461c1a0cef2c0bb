import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse } from '@sunbae/contracts'

/**
 * The site's public origin, as the web's nginx passes it (the scheme the load balancer reported, the
 * Host): canonical URLs, Open Graph and the sitemap name absolute URLs. Scheme, host and port only
 * (a trailing slash is dropped).
 */
const Origin = Type.String({ format: 'uri', pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$', maxLength: 200, description: 'e.g. https://sunbae.app' })
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const OriginQuery = Type.Object({ origin: Origin }, { additionalProperties: false })
const bare = (origin: string) => origin.replace(/\/$/, '')

/**
 * /api/mentors/:id/head and /api/mentors/sitemap.xml — what search engines read of the mentor pages
 * (src/mentors/page-head.ts says why a head injected into the SPA and not server rendering). nginx
 * includes the head into index.html for /mentors/:id and serves the sitemap as /sitemap.xml.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/head',
    {
      schema: {
        tags: ['mentors'],
        summary: "The HTML head of a mentor's public page",
        description: 'An HTML fragment for the document head: <title> (name and headline), meta description, Open Graph, canonical URL and a JSON-LD Person with knowsAbout (the skills). Unknown and suspended mentors are 404.',
        params: IdParams,
        querystring: OriginQuery,
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'text/html fragment' }), 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const head = await app.mentors.pageHead(request.params.id, bare(request.query.origin))
      return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=300').send(head)
    },
  )

  app.get(
    '/sitemap.xml',
    {
      schema: {
        tags: ['mentors'],
        summary: 'The sitemap of the approved mentors’ pages (sitemaps.org 0.9)',
        querystring: OriginQuery,
        produces: ['application/xml'],
        response: { 200: Type.String({ description: 'application/xml' }), 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      const xml = await app.mentors.sitemap(bare(request.query.origin))
      return reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=3600').send(xml)
    },
  )
}

export default routes
