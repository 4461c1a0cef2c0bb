import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { createEvent } from '@sunbae/bus'
import { MatchingEvents, type DomainEvent, type MatchEndedV1, type RequestAcceptedV1 } from '@sunbae/contracts'
import { serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { definition } from '../src/service.ts'
import pkg from '../package.json' with { type: 'json' }

/** This file's own database and NATS server: npm test runs two files at a time (`ownInfrastructure`). */
export const { adminUrl } = await ownInfrastructure({ services: ['chat-bridge'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)

const service = serviceUnderTest(definition, {
  databaseUrl: serviceUrl,
  env: () => ({
    // a replica taking over after another stopped should not keep a test waiting
    CHAT_SYNC_LEASE_CHECK_MS: '200',
    // the Postgres mirror unless the run is explicitly given a MongoDB
    MONGO_URL: process.env.MONGO_URL || undefined,
  }),
})
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, Firestore emulator, sync), not listening; use inject. */
export async function buildChat(over: Record<string, string> = {}): Promise<FastifyInstance> {
  return service.build(over)
}

/**
 * chat-bridge as its own process (`node src/server.ts`), to be killed for real. It is up when it
 * does something observable (the caller waits for that); an early exit rejects `exited`.
 */
export function spawnChat(over: Record<string, string> = {}): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../src/server.ts', import.meta.url))], {
    env: testEnv(over),
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return { child, exited: once(child, 'exit').then(([code]) => code as number | null) }
}

export function natsConnect(): Promise<NatsConnection> {
  return connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'chat-bridge-test' })
}

export function acceptedEvent(over: Partial<RequestAcceptedV1> = {}): DomainEvent<RequestAcceptedV1> {
  return createEvent({
    type: MatchingEvents.requestAccepted.type,
    version: MatchingEvents.requestAccepted.version,
    source: 'matching',
    actor: { type: 'user', id: over.mentorUid ?? 'mentor', role: 'mentor' },
    data: {
      requestId: randomUUID(),
      mentorId: randomUUID(),
      mentorUid: 'mentor',
      menteeUid: 'mentee',
      matchId: randomUUID(),
      message: '안녕하세요, 백엔드 면접 준비를 도와주세요.',
      acceptedAt: new Date().toISOString(),
      ...over,
    },
  })
}

export function endedEvent(accepted: RequestAcceptedV1, endedBy: 'mentee' | 'mentor' = 'mentee'): DomainEvent<MatchEndedV1> {
  const { requestId, mentorId, mentorUid, menteeUid, matchId } = accepted
  return createEvent({
    type: MatchingEvents.matchEnded.type,
    version: MatchingEvents.matchEnded.version,
    source: 'matching',
    actor: { type: 'user', id: endedBy === 'mentee' ? menteeUid : mentorUid, role: endedBy },
    data: { requestId, mentorId, mentorUid, menteeUid, matchId, endedBy, reason: null, endedAt: new Date().toISOString() },
  })
}

/**
 * Publishes an event as matching's outbox relay would. `msgID` defaults to a fresh one, so the
 * same event published twice reaches the consumer twice (a redelivery), not deduplicated by NATS.
 */
export async function publish(nc: NatsConnection, event: DomainEvent, msgID: string = randomUUID()): Promise<void> {
  await jetstream(nc).publish(event.type, JSON.stringify(event), { msgID })
}

/** Events chat-bridge wrote to its outbox for one Firestore message (or room). */
export async function outboxEvents(app: FastifyInstance, subject: string, field: string, value: string): Promise<DomainEvent<any>[]> {
  const { rows } = await sql<{ payload: DomainEvent<any> }>`
    select payload from outbox where subject = ${subject} and payload -> 'data' ->> ${field} = ${value} order by id`.execute(app.db)
  return rows.map((r) => r.payload)
}
