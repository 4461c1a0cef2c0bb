import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { ParsedMail } from 'mailparser'
import { createEvent } from '@sunbae/bus'
import { PaymentEvents } from '@sunbae/contracts'
import { identityKey } from '@sunbae/service-kit/identity'
import { TEST_IDENTITY_SECRET } from '@sunbae/service-kit/testing'
import { UnsubscribeTokens } from '../src/unsubscribe/unsubscribe-token.ts'
import { known, mailsTo, matchingEvent, person, publish, rowsOf, waitRows, appWithSink } from './helpers.ts'

// RFC 8058: non-transactional email carries List-Unsubscribe (a signed https link) and
// List-Unsubscribe-Post; a POST of the link switches that category's email off for its owner only;
// a tampered link is refused; receipts have no such header.

const header = (m: ParsedMail, name: string): string | undefined => m.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ')
const created = (message: string) => ({ message, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() })

t.test('one-click unsubscribe', async (t) => {
  const { app, sink } = await appWithSink(t)
  const mentor = await person(app, { role: 'mentor' })
  const other = await person(app, { role: 'mentor' })
  const mentee = await person(app)
  await known(app, mentor)
  await known(app, other)

  const first = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('first')))
  await waitRows(app, first.id, 2)
  const [mail] = await mailsTo(sink, mentor.email)
  t.equal(header(mail!, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click')
  const listUnsubscribe = header(mail!, 'list-unsubscribe') ?? ''
  const url = /<(https:\/\/sunbae\.test\/api\/notifications\/unsubscribe\?token=[^>]+)>/.exec(listUnsubscribe)?.[1]
  if (!t.ok(url, `a one-click https link: ${listUnsubscribe}`)) return
  const token = decodeURIComponent(new URL(url!).searchParams.get('token')!)
  t.match(mail!.text, `https://sunbae.test/unsubscribe?token=${encodeURIComponent(token)}`, 'the footer links the landing page')

  const path = `/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`
  const before = await app.inject({ method: 'GET', url: path })
  t.equal(before.statusCode, 200, before.body)
  t.same(before.json(), { category: 'requests', unsubscribed: false }, 'a GET (what link scanners do) changes nothing')

  // a forged link: the payload names another user, the signature is the original's
  const [, sig] = token.split('.')
  const forged = `${Buffer.from(JSON.stringify({ u: other.uid, c: 'requests' })).toString('base64url')}.${sig}`
  for (const bad of [forged, `${token}x`, 'not-a-token-at-all', new UnsubscribeTokens(Buffer.from('another-key-0123456789abcdef0123456789')).sign({ uid: mentor.uid, category: 'requests' })]) {
    const r = await app.inject({ method: 'POST', url: `/api/notifications/unsubscribe?token=${encodeURIComponent(bad)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
    t.equal(r.statusCode, 400, bad)
    t.equal(r.json().error.code, 'INVALID_UNSUBSCRIBE_TOKEN')
  }
  // even correctly signed, a transactional category cannot be unsubscribed from
  const receipts = UnsubscribeTokens.fromSecrets(undefined, identityKey(TEST_IDENTITY_SECRET, 'notification')).sign({ uid: mentor.uid, category: 'receipts' })
  t.equal((await app.inject({ method: 'POST', url: `/api/notifications/unsubscribe?token=${encodeURIComponent(receipts)}` })).statusCode, 400)

  const post = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })
  t.equal(post.statusCode, 200, post.body)
  t.same(post.json(), { category: 'requests', unsubscribed: true })
  t.equal((await app.inject({ method: 'POST', url: path })).statusCode, 200, 'again, and without a body: idempotent')
  t.same((await app.inject({ method: 'GET', url: path })).json(), { category: 'requests', unsubscribed: true })

  const prefs = await app.inject({ method: 'GET', url: '/api/notifications/preferences', headers: mentor.h() })
  t.match(prefs.json().items.find((i: { category: string }) => i.category === 'requests'), { inApp: true, email: false })
  const otherPrefs = await app.inject({ method: 'GET', url: '/api/notifications/preferences', headers: other.h() })
  t.match(otherPrefs.json().items.find((i: { category: string }) => i.category === 'requests'), { email: true }, 'nobody else is affected')

  const second = await publish(app, matchingEvent('requestCreated', mentor, mentee, created('second')))
  await waitRows(app, second.id, 1)
  await new Promise((r) => setTimeout(r, 300))
  t.same((await rowsOf(app, second.id)).map((r) => r.channel), ['in_app'], 'no more request emails, still in-app')

  t.test('receipts carry no List-Unsubscribe', async (t) => {
    const paymentId = randomUUID()
    const bookingId = randomUUID()
    const ev = (kind: keyof typeof PaymentEvents, data: Record<string, unknown>) => createEvent({ type: PaymentEvents[kind].type, version: 1, source: 'payment', actor: { type: 'system', id: null }, data })
    await publish(app, ev('created', { paymentId, bookingId, amount: 10_000, currency: 'KRW', menteeUid: mentor.uid, mentorUid: null, provider: 'sandbox', createdAt: new Date().toISOString() }))
    const paid = await publish(app, ev('succeeded', { paymentId, bookingId, amount: 10_000, currency: 'KRW', succeededAt: new Date().toISOString() }))
    await waitRows(app, paid.id, 2)
    const receipt = (await mailsTo(sink, mentor.email, 2)).find((m) => m.subject?.includes('영수증'))!
    t.ok(receipt)
    t.equal(header(receipt, 'list-unsubscribe'), undefined)
    t.notMatch(receipt.text, '/unsubscribe?token=')
  })
})
