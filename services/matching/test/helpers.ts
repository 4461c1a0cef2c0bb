import { randomUUID } from 'node:crypto'
import { readEvents as readStreamEvents } from '@sunbae/testing'
import type { FastifyInstance } from 'fastify'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents, type DomainEvent, type MentorProfileV1, type Role } from '@sunbae/contracts'
import { identityHeaders, serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { definition } from '../src/service.ts'
import pkg from '../package.json' with { type: 'json' }

const STARTED_AT = new Date(Date.now() - 5_000)

/** This file's own database and NATS server: npm test runs two files at a time (`ownInfrastructure`). */
export const { adminUrl } = await ownInfrastructure({ services: ['matching'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)

const service = serviceUnderTest(definition, { databaseUrl: serviceUrl })
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, outbox relay, read model, sweeper), not listening; use inject. */
export async function buildMatching(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await service.build(overrides)
  await app.mentorReadModel.whenReady()
  return app
}

/** A signed-in user as the gateway would vouch for them; headers are signed afresh on every call (they age out after 60 s). */
export interface User {
  uid: string
  name: string
  role: Role
  h(role?: Role): Record<string, string>
}

export function user(role: Role = 'mentee', uid = `u-${randomUUID()}`): User {
  const name = `테스트 ${uid.slice(-6)}`
  return { uid, name, role, h: (r = role) => identityHeaders({ uid, name, role: r }) }
}

/** A catalog mentor profile (as catalog.mentor.* carries it) with a fresh id and account. */
export { mentorProfile as profile } from '@sunbae/testing'

type CatalogKind = 'mentorApproved' | 'mentorUpdated' | 'mentorSuspended' | 'mentorReinstated' | 'mentorRated'

/** Publishes a catalog event exactly as mentor-catalog's outbox relay does (event id = message id). */
export async function publishCatalog(app: FastifyInstance, kind: CatalogKind, data: unknown, at?: Date): Promise<DomainEvent> {
  const e = CatalogEvents[kind]
  const event = createEvent({ type: e.type, version: e.version, source: 'mentor-catalog', actor: { type: 'system', id: null }, data })
  if (at) event.occurredAt = at.toISOString()
  await app.bus.js.publish(e.type, JSON.stringify(event), { msgID: event.id })
  return event
}

/** Publishes approvals and waits until Postgres and this app's index have them. */
export async function approve(app: FastifyInstance, ...profiles: MentorProfileV1[]): Promise<void> {
  for (const p of profiles) await publishCatalog(app, 'mentorApproved', p)
  await app.mentorReadModel.settled()
}

/**
 * Reads a stream from shortly before this file started with an ordered consumer until `count`
 * events matching `match` were seen and `settleMs` more passed (so "only once" can be asserted),
 * or the deadline passes.
 */
export async function readEvents(
  app: FastifyInstance,
  stream: string,
  subject: string,
  match: (e: DomainEvent<any>) => boolean,
  opts: { count?: number; settleMs?: number; timeoutMs?: number } = {},
): Promise<DomainEvent<any>[]> {
  return readStreamEvents(app.bus.js, stream, subject, match, { since: STARTED_AT, ...opts })
}

/** The field names of a 400's details, sorted. */
export const fields = (body: { error: { details?: { field: string }[] } }) => (body.error.details ?? []).map((d) => d.field).sort()

/** A word no other test (or earlier run) has used: overlaps built on it are this test's alone. */
export const unique = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`
