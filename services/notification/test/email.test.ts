import t from 'tap'
import { createServer } from 'node:net'
import { createEvent } from '@sunbae/bus'
import { waitFor } from '@sunbae/testing'
import { buildNotification, known, mailSink, mailsTo, matchingEvent, person, publish, waitRows } from './helpers.ts'
import { identityHeaders } from '@sunbae/service-kit/testing'

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return port
}

const created = (message = 'hello') => ({ message, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() })

t.test('SMTP down: the email stays queued with back-off, and is sent once SMTP is back', async (t) => {
  const port = await freePort()
  const app = await buildNotification({ SMTP_URL: `smtp://127.0.0.1:${port}` })
  t.teardown(() => app.close())
  const mentor = await person(app, { role: 'mentor' })
  const mentee = await person(app)
  await known(app, mentor)
  const e = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('while SMTP is down')))
  const rows = await waitRows(app, e.id, 2)
  const emailId = rows.find((r) => r.channel === 'email')!.id
  const outbox = () => app.db.selectFrom('email_outbox').selectAll().where('notification_id', '=', emailId).executeTakeFirstOrThrow()

  await waitFor(async () => (await outbox()).attempts >= 2, 10_000, 50)
  const queued = await outbox()
  t.equal(queued.status, 'pending', 'still pending, not failed')
  // refused here; another test file's sink (sharing the database) answers 450 for what is not its own
  t.match(queued.last_error, /ECONNREFUSED|ECONNECTION|ESOCKET|450/)
  t.ok(new Date(queued.next_attempt_at).getTime() > Date.now() - 1000, 'the next attempt is scheduled')

  const sink = await mailSink({ port })
  t.teardown(() => sink.close())
  const [mail] = await mailsTo(sink, mentor.email, 1, 15_000)
  t.match(mail!.text, 'while SMTP is down')
  await waitFor(async () => (await outbox()).status === 'sent', 5_000, 50)
  t.equal((await outbox()).to_address, mentor.email)
})

t.test('a permanent SMTP refusal (5xx) marks the email failed, visible to admins; the in-app notification stands', async (t) => {
  const sink = await mailSink({ refuse: (a) => a.startsWith('u-') && a.includes('refused') })
  const app = await buildNotification({ SMTP_URL: sink.url })
  t.teardown(async () => {
    await app.close()
    await sink.close()
  })
  const mentee = await person(app)
  const mentor = await person(app, { role: 'mentor' })
  // the account's address changes to one the server refuses
  const refusedAddress = `${mentor.uid}-refused@example.com`
  await publish(app, createEvent({ type: 'catalog.user.updated', version: 1, source: 'mentor-catalog', actor: { type: 'user', id: mentor.uid }, data: { uid: mentor.uid, email: refusedAddress, displayName: 'Refused', role: 'mentor' } }))
  await waitFor(async () => (await app.db.selectFrom('recipients').select('email').where('uid', '=', mentor.uid).executeTakeFirst())?.email === refusedAddress, 10_000, 50)

  const e = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('to a refused mailbox')))
  const rows = await waitRows(app, e.id, 2)
  const emailId = rows.find((r) => r.channel === 'email')!.id
  await waitFor(
    async () => (await app.db.selectFrom('email_outbox').select('status').where('notification_id', '=', emailId).executeTakeFirst())?.status === 'failed',
    10_000,
    50,
  )
  const admin = identityHeaders({ uid: 'admin-1', role: 'admin' })
  const res = await app.inject({ method: 'GET', url: `/api/admin/notifications?emailStatus=failed&uid=${mentor.uid}`, headers: admin })
  t.equal(res.statusCode, 200, res.body)
  const item = res.json().items.find((i: { id: string }) => i.id === emailId)
  t.match(item, { channel: 'email', recipientUid: mentor.uid, email: { status: 'failed', attempts: Number, to: refusedAddress, lastError: /550/ } })
  // other test files' senders (same database) may have tried first and been told 450 by their sinks
  t.ok(res.json().emailCounts.failed >= 1)
  t.ok(rows.some((r) => r.channel === 'in_app'), 'the in-app notification is there regardless')

  const mentorView = await app.inject({ method: 'GET', url: '/api/admin/notifications', headers: mentor.h() })
  t.equal(mentorView.statusCode, 403, 'admins only')
})
