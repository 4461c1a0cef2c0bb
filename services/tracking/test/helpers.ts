import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { headers as natsHeaders } from '@nats-io/nats-core'
import { connectBus, type Bus } from '@sunbae/bus'
import { STREAMS } from '@sunbae/contracts'
import { identityHeaders, serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { definition } from '../src/service.ts'
import pkg from '../package.json' with { type: 'json' }

/** This file's own database and NATS server: npm test runs two files at a time (`ownInfrastructure`). */
export const { adminUrl } = await ownInfrastructure({ services: ['tracking', 'mentor-catalog'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

export const uniq = (): string => randomBytes(5).toString('hex')

/**
 * Environment of a tracking instance under test. Each test file uses its own durable prefix, so its
 * consumers read every message of the run for themselves; rows are deduplicated in Postgres, so
 * several instances writing the same events (as replicas would) still store each once.
 */
const service = serviceUnderTest(definition, {
  databaseUrl: serviceUrl,
  env: () => ({
    NODE_ENV: 'test',
    TRACKING_DURABLE_PREFIX: `t_${uniq()}`,
    TRACKING_BATCH_WAIT_MS: '20',
    TRACKING_ACK_WAIT_MS: '2000',
  }),
})
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, consumers running), not listening; use inject. */
export async function buildTracking(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  return service.build(overrides)
}

/** Removes a test instance's durable consumers (they would otherwise outlive a shared NATS). */
export async function deleteDurables(bus: Bus, prefix: string): Promise<void> {
  for (const stream of [STREAMS.telemetry, STREAMS.catalog, STREAMS.matching, STREAMS.meeting, STREAMS.payment, STREAMS.chat]) {
    for await (const c of await bus.jsm.consumers.list(stream.name)) {
      if (c.name.startsWith(`${prefix}_`)) await bus.jsm.consumers.delete(stream.name, c.name).catch(() => false)
    }
  }
}

export const testBus = (name: string): Promise<Bus> => connectBus({ servers: NATS_URL, name, logger: quiet })

export const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

const enc = new TextEncoder()

/** Publishes telemetry the way the gateway does it: core NATS into the TELEMETRY stream's subject. */
export async function publishCore(bus: Bus, subject: string, payloads: unknown[]): Promise<void> {
  for (const p of payloads) bus.nc.publish(subject, enc.encode(JSON.stringify(p)))
  await bus.nc.flush()
}

/** A domain event through JetStream with its id as Nats-Msg-Id, the way the outbox relay does it. */
export async function publishEvent(bus: Bus, event: { id: string; type: string }): Promise<void> {
  await bus.js.publish(event.type, enc.encode(JSON.stringify(event)), { msgID: event.id, headers: natsHeaders() })
}

export const admin = () => identityHeaders({ uid: `admin-${uniq()}`, role: 'admin' })
export const mentee = () => identityHeaders({ uid: `mentee-${uniq()}`, role: 'mentee' })

export function accessEvent(over: Record<string, unknown> = {}) {
  return {
    requestId: `req-${uniq()}`,
    traceId: randomBytes(16).toString('hex'),
    user: null,
    requestedAt: new Date().toISOString(),
    responseMs: 12.5,
    path: '/api/mentors',
    route: '/api/mentors',
    method: 'GET',
    remoteAddr: '203.0.113.7',
    host: 'api.sunbae.test',
    queryParams: {},
    body: null,
    status: 200,
    errors: null,
    userAgent: 'tracking-test/1.0',
    ...over,
  }
}

export function searchEvent(over: Record<string, unknown> = {}) {
  return {
    query: 'python',
    terms: ['python'],
    filters: { skills: [], languages: [], minRate: null, maxRate: null, minYears: null },
    sort: 'relevance',
    page: 1,
    pageSize: 20,
    resultCount: 5,
    latencyMs: 1.2,
    user: null,
    requestId: `req-${uniq()}`,
    traceId: null,
    occurredAt: new Date().toISOString(),
    ...over,
  }
}
