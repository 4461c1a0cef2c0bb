import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { simpleParser, type ParsedMail } from 'mailparser'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents, MatchingEvents, type DomainEvent, type EventActor } from '@sunbae/contracts'
import { identityHeaders, serviceUnderTest } from '@sunbae/service-kit/testing'
import { serviceDatabaseUrl } from '@sunbae/db'
import { waitFor } from '@sunbae/testing'
import { ownInfrastructure } from '@sunbae/testing/isolation'
import { definition } from '../src/service.ts'
import { startMailSink, type MailSink } from '../src/mail/sink.ts'
import pkg from '../package.json' with { type: 'json' }

/** This file's own database and NATS server: npm test runs two files at a time (`ownInfrastructure`). */
export const { adminUrl } = await ownInfrastructure({ services: ['notification'] })
export const serviceUrl = serviceDatabaseUrl(adminUrl, pkg.sunbae.schema)

const service = serviceUnderTest(definition, {
  databaseUrl: serviceUrl,
  env: () => ({
    WEB_BASE_URL: 'https://sunbae.test',
    // nothing listens on port 1: an app without a sink of its own never delivers another file's mail
    SMTP_URL: 'smtp://127.0.0.1:1',
    // retries come quickly in tests; timers are driven with run() where it matters
    EMAIL_RETRY_BASE_MS: '50',
    EMAIL_RETRY_MAX_MS: '200',
    EMAIL_SEND_INTERVAL_MS: '200',
    SMTP_TIMEOUT_MS: '2000',
  }),
})
export const testEnv = service.testEnv

/** The real service (Postgres, NATS, Firestore emulator, SMTP to `over.SMTP_URL`), not listening; use inject. */
export async function buildNotification(over: Record<string, string> = {}): Promise<FastifyInstance> {
  return service.build(over)
}

/** The service sending to a sink of this file's own; both are closed when `t` ends. */
export async function appWithSink(t: Test, over: Record<string, string> = {}): Promise<{ app: FastifyInstance; sink: MailSink }> {
  const sink = await mailSink()
  const app = await buildNotification({ SMTP_URL: sink.url, ...over })
  t.teardown(async () => {
    await app.close()
    await sink.close()
  })
  return { app, sink }
}

/** A fresh folder for a sink's messages. */
export const mailDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'sunbae-mail-'))

/**
 * Addresses of the people this test file made. Where files must share one database (no nats-server
 * binary: `ownInfrastructure` falls back to the shared ones), a sender in another file's process may
 * claim this file's email: its sink answers 450 for addresses not its own, the email is retried, and
 * this file's sender delivers it here.
 */
const ours = new Set<string>()

/** A sink in a fresh folder of its own, taking only this file's addresses. */
export async function mailSink(opts: { port?: number; refuse?: (address: string) => boolean } = {}): Promise<MailSink> {
  return startMailSink({ dir: await mailDir(), accept: (a) => ours.has(a), ...opts })
}

/** Every message the sink stored, parsed. */
export async function mails(sink: MailSink): Promise<ParsedMail[]> {
  const files = (await readdir(sink.dir)).filter((f) => f.endsWith('.eml')).sort()
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(sink.dir, f)))))
}

export const toOf = (m: ParsedMail): string => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address ?? ''

/** Waits until the sink holds `n` messages to `address`, and returns them. */
export async function mailsTo(sink: MailSink, address: string, n = 1, timeoutMs = 15_000): Promise<ParsedMail[]> {
  let found: ParsedMail[] = []
  await waitFor(
    async () => {
      found = (await mails(sink)).filter((m) => toOf(m) === address)
      return found.length >= n
    },
    timeoutMs,
    50,
  )
  return found
}

/** Publishes an event exactly as a producer's outbox relay does (event id = message id). */
export async function publish(app: FastifyInstance, event: DomainEvent): Promise<DomainEvent> {
  await app.bus.js.publish(event.type, JSON.stringify(event), { msgID: event.id })
  return event
}

/** A person the read model knows (through catalog.user.registered), in their language and zone. */
export interface Person {
  uid: string
  email: string
  name: string
  h(): Record<string, string>
}

export async function person(app: FastifyInstance, opts: { name?: string; locale?: 'ko' | 'en'; timeZone?: string; role?: 'mentee' | 'mentor' } = {}): Promise<Person> {
  const uid = `u-${randomUUID()}`
  const email = `${uid}@example.com`
  const name = opts.name ?? `테스트 ${uid.slice(-6)}`
  const role = opts.role ?? 'mentee'
  ours.add(email)
  const actor: EventActor = { type: 'user', id: uid, role }
  await publish(app, createEvent({ type: CatalogEvents.userRegistered.type, version: 1, source: 'mentor-catalog', actor, data: { uid, email, displayName: name, role } }))
  if (opts.locale || opts.timeZone) {
    await publish(
      app,
      createEvent({
        type: CatalogEvents.userUpdated.type,
        version: 1,
        source: 'mentor-catalog',
        actor,
        data: { uid, email, displayName: name, role, ...(opts.locale ? { locale: opts.locale } : {}), ...(opts.timeZone ? { timeZone: opts.timeZone } : {}) },
      }),
    )
  }
  return { uid, email, name, h: () => identityHeaders({ uid, role, email }) }
}

/** Waits until the read model has the person as published (both events applied). */
export async function known(app: FastifyInstance, p: Person, check: (r: { locale: string | null; time_zone: string | null }) => boolean = () => true): Promise<void> {
  await waitFor(
    async () => {
      const r = await app.db.selectFrom('recipients').selectAll().where('uid', '=', p.uid).executeTakeFirst()
      return r !== undefined && r.email === p.email && check(r as { locale: string | null; time_zone: string | null })
    },
    10_000,
  )
}

type MatchingKind = keyof typeof MatchingEvents

/** A matching event between these two, as matching's relay publishes it. */
export function matchingEvent(kind: MatchingKind, mentor: Person, mentee: Person, data: Record<string, unknown> = {}, actor?: EventActor): DomainEvent {
  const e = MatchingEvents[kind]
  return createEvent({
    type: e.type,
    version: e.version,
    source: 'matching',
    actor: actor ?? { type: 'user', id: mentee.uid, role: 'mentee' },
    data: { requestId: randomUUID(), mentorId: randomUUID(), mentorUid: mentor.uid, menteeUid: mentee.uid, ...data },
  })
}

/** The in-app rows (Postgres) of one event. */
export async function rowsOf(app: FastifyInstance, eventId: string) {
  return app.db.selectFrom('notifications').selectAll().where('event_id', '=', eventId).orderBy('channel').execute()
}

export async function waitRows(app: FastifyInstance, eventId: string, n: number, timeoutMs = 15_000) {
  await waitFor(async () => (await rowsOf(app, eventId)).length >= n, timeoutMs, 50)
  return rowsOf(app, eventId)
}
