import { connect, type NatsConnection } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { readEvents as readStreamEvents } from '@sunbae/testing'
import type { FastifyInstance } from 'fastify'
import type { DomainEvent } from '@sunbae/contracts'
import { serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { definition } from '../src/service.ts'
import pkg from '../package.json' with { type: 'json' }

const STARTED_AT = new Date(Date.now() - 5_000)

/** This file's own database and NATS server: npm test runs two files at a time (`ownInfrastructure`). */
export const { adminUrl } = await ownInfrastructure({ services: ['mentor-catalog'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)

const service = serviceUnderTest(definition, { databaseUrl: serviceUrl })
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, outbox relay), not listening; use inject. */
export async function buildCatalog(): Promise<FastifyInstance> {
  const app = await service.build()
  // The search read model is built from Postgres after start; tests want it complete.
  await app.mentorSearch.whenReady()
  return app
}

/**
 * Reads a stream from the start with an ordered consumer until `count` events matching `match`
 * were seen, or the deadline passes; then returns what it saw (so tests can also assert "only once").
 */
export async function readEvents(
  nc: NatsConnection,
  stream: string,
  subject: string,
  match: (e: DomainEvent<any>) => boolean,
  opts: { count?: number; settleMs?: number; timeoutMs?: number } = {},
): Promise<DomainEvent<any>[]> {
  // Start shortly before this test file began: the stream may hold many older events.
  return readStreamEvents(jetstream(nc), stream, subject, match, { since: STARTED_AT, ...opts })
}

export function natsConnect(): Promise<NatsConnection> {
  return connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'catalog-test' })
}
