import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { platform } from '@sunbae/service-kit'
import { STREAMS } from '@sunbae/contracts'
import type { configSchema } from './config.ts'
import pkg from '../package.json' with { type: 'json' }

/** The service as a plugin: external clients, then domain plugins, then routes. */
export default async function app(fastify: FastifyInstance, opts: { config: Static<typeof configSchema> }) {
  await fastify.register(platform, {
    service: 'chat-bridge',
    schema: pkg.sunbae.schema,
    config: opts.config,
    // publishes chat.*; consumes matching.* (accepted requests open rooms)
    streams: [STREAMS.chat, STREAMS.matching],
  })
}
