import etag from '@fastify/etag'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorResponse, MENTOR_PHOTO_LIMITS, MentorPhotoParams, MentorPhotoResult } from '@sunbae/contracts'
import { actorOf, AppError, requireRole } from '@sunbae/service-kit'

const security = [{ gatewayIdentity: [] }]
const IMAGE_TYPES = [...MENTOR_PHOTO_LIMITS.types]

/**
 * Mentor photos: PUT/DELETE /api/mentors/me/photo (the signed-in mentor's own: no id in the path) and
 * GET /api/mentors/:id/photo/:hash/:size (public, immutable: a new photo has a new hash). Image bytes
 * are accepted only by the PUT route's context (its own content-type parser and body limit); every
 * other catalog route still answers 415 to them. The gateway streams non-JSON bodies through
 * unbuffered, so this limit is the one that counts.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(async function upload(instance) {
    const scope = instance.withTypeProvider<TypeBoxTypeProvider>()
    scope.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: MENTOR_PHOTO_LIMITS.bytes }, (_req, body, done) => done(null, body))

    scope.put(
      '/me/photo',
      {
        // The body schema documents the binary body in OpenAPI; the body is a Buffer (this context's
        // parser), which a JSON-schema validator has nothing to check in: resizePhoto reads it.
        validatorCompiler: () => () => true,
        schema: {
          tags: ['mentors'],
          summary: 'Set my photo (the image bytes; publishes catalog.mentor.updated)',
          description:
            `The body is the image itself: ${IMAGE_TYPES.join(', ')}, at most ${MENTOR_PHOTO_LIMITS.bytes / 1024 / 1024} MB ` +
            `(413 PAYLOAD_TOO_LARGE), at most ${MENTOR_PHOTO_LIMITS.pixels / 1e6} million pixels and ${MENTOR_PHOTO_LIMITS.minSide} px a side ` +
            '(400 PHOTO_TOO_MANY_PIXELS, PHOTO_TOO_SMALL). Bytes that are no such image are 400 PHOTO_NOT_AN_IMAGE; another format than ' +
            'the Content-Type says 415 PHOTO_TYPE_MISMATCH; another Content-Type 415 UNSUPPORTED_MEDIA_TYPE. Stored as square WebP in ' +
            '64, 160 and 480 px (centre-cropped, EXIF orientation applied, metadata dropped); the upload itself is not kept.',
          security,
          consumes: IMAGE_TYPES,
          body: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the image file' }),
          response: {
            200: MentorPhotoResult,
            400: ErrorResponse,
            401: ErrorResponse,
            403: ErrorResponse,
            404: ErrorResponse,
            413: ErrorResponse,
            415: ErrorResponse,
          },
        },
      },
      async (request) => {
        const who = requireRole(request, 'mentor')
        const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
        // no body, or JSON (which this context still parses): not an image
        if (!Buffer.isBuffer(request.body) || !type) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the photo as ${IMAGE_TYPES.join(', ')}`)
        return app.photos.putMine(who.uid, request.body, type, actorOf(who))
      },
    )
  })

  app.delete(
    '/me/photo',
    {
      schema: {
        tags: ['mentors'],
        summary: 'Remove my photo (initials are shown again; publishes catalog.mentor.updated)',
        security,
        response: { 204: Type.Null(), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const who = requireRole(request, 'mentor')
      await app.photos.removeMine(who.uid, actorOf(who))
      return reply.code(204).send(null)
    },
  )

  await app.register(async function images(instance) {
    const scope = instance.withTypeProvider<TypeBoxTypeProvider>()
    // the ETag is the photo's hash and size; @fastify/etag answers If-None-Match with 304
    await scope.register(etag)
    scope.get(
      '/:id/photo/:hash/:size',
      {
        schema: {
          tags: ['mentors'],
          summary: "A mentor's photo, square WebP (public; the URL is the mentor's photoUrl)",
          description: 'Cached as immutable: a new photo has a new hash. An old hash, a suspended mentor or none is 404.',
          params: MentorPhotoParams,
          response: {
            200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', contentMediaType: 'image/webp' }),
            304: Type.Null(),
            400: ErrorResponse,
            404: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const { id, hash, size } = request.params
        const image = await app.photos.image(id, hash, Number(size))
        return reply
          .type('image/webp')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .header('etag', `"${hash}-${size}"`)
          .send(image)
      },
    )
  })
}

export default routes
