import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { createEvent } from '@sunbae/bus'
import { bookingConfirmed } from '@sunbae/testing/fixtures'
import { MeetingEvents, type DomainEvent } from '@sunbae/contracts'
import type { Tx } from '../src/db/database.ts'
import { buildNotification, known, matchingEvent, person } from './helpers.ts'

// What an event costs the database: one read of everything about its people (profile, channel
// switches, quiet hours) and one write of all its notifications and emails, for one recipient or two
// — BEGIN, the processed-event mark and COMMIT come from the consumer. bench/notification measured
// ~11.5 statements per event before (CPU per event in Postgres 2.3 → 0.3–0.5 ms); this keeps it so.

/** Counts the statements run through the Kysely instance it is plugged into. */
class StatementCounter implements KyselyPlugin {
  count = 0
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

t.test('an event is one read and one write, whatever its recipients, switches and quiet hours', async (t) => {
  const app = await buildNotification()
  t.teardown(() => app.close())
  const mentor = await person(app, { role: 'mentor' })
  const mentee = await person(app, { locale: 'en', timeZone: 'America/New_York' })
  await known(app, mentor)
  await known(app, mentee, (r) => r.locale === 'en')
  // the mentor switched request emails off; the mentee is inside quiet hours now (in their zone)
  const off = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentor.h(), payload: { items: [{ category: 'requests', channel: 'email', enabled: false }] } })
  t.equal(off.statusCode, 200, off.body)
  const local = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + ms))
  const quiet = await app.inject({ method: 'PUT', url: '/api/notifications/preferences', headers: mentee.h(), payload: { quietHours: { start: local(-3_600_000), end: local(2 * 3_600_000) } } })
  t.equal(quiet.statusCode, 200, quiet.body)

  const counter = new StatementCounter()
  const db = app.db.withPlugin(counter)
  /** Runs a handler in a transaction as the consumer does; the statements it ran. */
  const handle = async (event: DomainEvent, handler: (trx: Tx, ctx: { event: DomainEvent; afterCommit(): void }) => Promise<void>) =>
    db.transaction().execute(async (trx) => {
      counter.count = 0
      await handler(trx as Tx, { event, afterCommit: () => {} })
      return counter.count
    })
  const rows = (eventId: string) =>
    app.db
      .selectFrom('notifications as n')
      .leftJoin('email_outbox as e', 'e.notification_id', 'n.id')
      .select(['n.recipient_uid', 'n.channel', 'e.next_attempt_at'])
      .where('n.event_id', '=', eventId)
      .orderBy('n.recipient_uid')
      .orderBy('n.channel')
      .execute()

  const created = matchingEvent('requestCreated', mentor, mentee, { message: '안녕하세요', createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
  t.equal(await handle(created, (trx, ctx) => app.matchingEventHandlers.onRequestCreated(created.data as never, { ...ctx, trx })), 2, 'request created: 2 statements')
  t.same((await rows(created.id)).map((r) => [r.recipient_uid, r.channel]), [[mentor.uid, 'in_app']], 'the switched-off email is not queued')

  const accepted = matchingEvent('requestAccepted', mentor, mentee, { matchId: randomUUID(), message: '안녕하세요', acceptedAt: new Date().toISOString() })
  t.equal(await handle(accepted, (trx, ctx) => app.matchingEventHandlers.onRequestAccepted(accepted.data as never, { ...ctx, trx })), 2, 'request accepted: 2 statements')
  const held = (await rows(accepted.id)).find((r) => r.channel === 'email')
  t.ok(held && new Date(held.next_attempt_at!).getTime() > Date.now() + 30 * 60_000, 'the email waits for the end of the quiet hours')

  const startsAt = new Date(Date.now() + 2 * 86_400_000)
  const confirmed = createEvent({
    type: MeetingEvents.bookingConfirmed.type,
    version: MeetingEvents.bookingConfirmed.version,
    source: 'meeting',
    actor: { type: 'system', id: null },
    data: bookingConfirmed({ menteeUid: mentee.uid, mentorUid: mentor.uid, startsAt }),
  })
  t.equal(await handle(confirmed, (trx, ctx) => app.meetingEventHandlers.onBookingConfirmed(confirmed.data as never, { ...ctx, trx })), 2, 'booking confirmed, two people: 2 statements')
  t.same(
    (await rows(confirmed.id)).map((r) => [r.recipient_uid, r.channel]),
    [
      [mentor.uid, 'email'],
      [mentor.uid, 'in_app'],
      [mentee.uid, 'email'],
      [mentee.uid, 'in_app'],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0)),
  )

  // a second handling (another durable, a replay) adds nothing: the unique key, in the same write
  t.equal(await handle(confirmed, (trx, ctx) => app.meetingEventHandlers.onBookingConfirmed(confirmed.data as never, { ...ctx, trx })), 2)
  t.equal((await rows(confirmed.id)).length, 4)
})
