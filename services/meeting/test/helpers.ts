import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { mentorProfile, readEvents as readStreamEvents } from '@sunbae/testing'
import type { FastifyInstance } from 'fastify'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents, MatchingEvents, PaymentEvents, type AvailabilityBody, type DomainEvent, type MentorProfileV1, type Role } from '@sunbae/contracts'
import { identityHeaders, serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { definition } from '../src/service.ts'
import pkg from '../package.json' with { type: 'json' }

const STARTED_AT = new Date(Date.now() - 5_000)
const HOUR = 3_600_000

/** This file's own database and NATS server: npm test runs two files at a time (`ownInfrastructure`). */
export const { adminUrl } = await ownInfrastructure({ services: ['meeting'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)

const service = serviceUnderTest(definition, {
  databaseUrl: serviceUrl,
  env: () => ({
    // tests sweep by hand (and the timer only rarely), so they decide when time has "passed"
    MEETING_SWEEP_INTERVAL_MS: '600000',
  }),
})
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, outbox relay, consumers, sweeper), not listening; use inject. */
export async function buildMeeting(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  return service.build(overrides)
}

export interface User {
  uid: string
  role: Role
  h(role?: Role): Record<string, string>
}

/** A signed-in user as the gateway would vouch for them (headers signed afresh on every call). */
export function user(role: Role = 'mentee', uid = `u-${randomUUID()}`): User {
  return { uid, role, h: (r = role) => identityHeaders({ uid, name: `테스트 ${uid.slice(-6)}`, role: r }) }
}

/** Publishes an event as its producer would (tests may send what its contract refuses). */
export async function publish(app: FastifyInstance, type: string, version: number, source: string, data: unknown): Promise<DomainEvent> {
  const event = createEvent({ type, version, source, actor: { type: 'system', id: null }, data })
  await app.bus.js.publish(type, JSON.stringify(event), { msgID: event.id })
  return event
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

export interface Mentor extends User {
  id: string
}

/** An approved catalog mentor, as mentor-catalog announces it, once meeting's read model has it. */
export async function mentor(app: FastifyInstance, over: Partial<MentorProfileV1> = {}): Promise<Mentor> {
  const m = user('mentor', `mentor-${randomUUID()}`)
  const profile = mentorProfile({ uid: m.uid, ...over })
  await publish(app, CatalogEvents.mentorApproved.type, CatalogEvents.mentorApproved.version, 'mentor-catalog', profile)
  await until('the mentor in the read model', async () => (await app.readModel.mentorById(profile.id)) !== undefined)
  return { ...m, id: profile.id }
}

/** matching.request.accepted for the pair, once meeting has it; returns the match id. */
export async function match(app: FastifyInstance, m: Mentor, mentee: User): Promise<string> {
  const matchId = randomUUID()
  await publish(app, MatchingEvents.requestAccepted.type, 1, 'matching', {
    requestId: randomUUID(),
    matchId,
    mentorId: m.id,
    mentorUid: m.uid,
    menteeUid: mentee.uid,
    message: '안녕하세요',
    acceptedAt: new Date().toISOString(),
  })
  await until('the match in the read model', () => app.readModel.hasActiveMatch(mentee.uid, m.id))
  return matchId
}

export async function endMatch(app: FastifyInstance, m: Mentor, mentee: User, matchId: string): Promise<void> {
  await publish(app, MatchingEvents.matchEnded.type, 1, 'matching', {
    requestId: randomUUID(),
    matchId,
    mentorId: m.id,
    mentorUid: m.uid,
    menteeUid: mentee.uid,
    endedBy: 'mentee',
    reason: null,
    endedAt: new Date().toISOString(),
  })
  await until('the match to end', async () => !(await app.readModel.hasActiveMatch(mentee.uid, m.id)))
}

export async function pay(app: FastifyInstance, kind: 'succeeded' | 'failed', bookingId: string, amount: number): Promise<void> {
  const e = PaymentEvents[kind]
  const at = new Date().toISOString()
  await publish(app, e.type, e.version, 'payment', {
    paymentId: randomUUID(),
    bookingId,
    amount,
    currency: 'KRW',
    ...(kind === 'succeeded' ? { succeededAt: at } : { reason: 'card declined', failedAt: at }),
  })
}

export async function waitForState(app: FastifyInstance, bookingId: string, state: string): Promise<void> {
  await until(`booking ${bookingId} to be ${state}`, async () => (await app.bookings.repository.findById(bookingId))?.state === state)
}

/** Every hour of every day, in UTC: tests pick their times freely. */
export const allDay = (over: Partial<AvailabilityBody> = {}): AvailabilityBody => ({
  timezone: 'UTC',
  weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
  overrides: [],
  durations: [60],
  slotIntervalMin: 30,
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  minNoticeMin: 0,
  horizonDays: 60,
  maxPerDay: null,
  pricePerHour: 0,
  fullRefundHours: 24,
  partialRefundHours: 2,
  partialRefundPercent: 50,
  rescheduleNoticeHours: 2,
  ...over,
})

export async function setAvailability(app: FastifyInstance, m: Mentor, body: AvailabilityBody): Promise<void> {
  const res = await app.inject({ method: 'PUT', url: '/api/meetings/availability', headers: m.h(), payload: body })
  if (res.statusCode !== 200) throw new Error(`PUT availability: ${res.statusCode} ${res.body}`)
}

/** A UTC half-hour mark `hours` from now (rounded up), as an ISO string. */
export function hoursAhead(hours: number): string {
  const t = Date.now() + hours * HOUR
  return new Date(Math.ceil(t / 1_800_000) * 1_800_000).toISOString()
}

/**
 * Reads a stream from shortly before this file started with an ordered consumer until `count`
 * matching events were seen and `settleMs` more passed (so "only once" can be asserted).
 */
export async function readEvents(
  app: FastifyInstance,
  subject: string,
  match: (e: DomainEvent<any>) => boolean,
  opts: { count?: number; settleMs?: number; timeoutMs?: number } = {},
): Promise<DomainEvent<any>[]> {
  return readStreamEvents(app.bus.js, 'MEETING', subject, match, { since: STARTED_AT, timeoutMs: 20_000, ...opts })
}

/** Matches many mentees with one mentor at once (published together, waited for together). */
export async function matchMany(app: FastifyInstance, m: Mentor, mentees: User[]): Promise<void> {
  for (const mentee of mentees) {
    await publish(app, MatchingEvents.requestAccepted.type, 1, 'matching', {
      requestId: randomUUID(),
      matchId: randomUUID(),
      mentorId: m.id,
      mentorUid: m.uid,
      menteeUid: mentee.uid,
      message: '안녕하세요',
      acceptedAt: new Date().toISOString(),
    })
  }
  await until(
    `${mentees.length} matches`,
    async () => {
      const r = await app.db.selectFrom('matches').select((eb) => eb.fn.countAll<string>().as('n')).where('mentor_id', '=', m.id).executeTakeFirstOrThrow()
      return Number(r.n) >= mentees.length
    },
    120_000,
  )
}
