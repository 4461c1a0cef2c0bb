import t from 'tap'
import { randomUUID } from 'node:crypto'
import { createEvent } from '@sunbae/bus'
import { ChatEvents } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { buildNotification, known, mailSink, mailsTo, person, publish, type Person } from './helpers.ts'

// Unread chat becomes one digest per person per window, never one notification per message; a
// read of the room before the window ends means no digest for it.

const posted = (room: string, author: Person, to: Person[]) =>
  createEvent({
    type: ChatEvents.messagePosted.type,
    version: 1,
    source: 'chat-bridge',
    actor: { type: 'user', id: author.uid },
    data: { roomId: room, matchId: room, messageId: randomUUID(), authorUid: author.uid, recipientUids: to.map((p) => p.uid), length: 5, postedAt: new Date().toISOString() },
  })
const read = (room: string, who: Person) =>
  createEvent({ type: ChatEvents.roomRead.type, version: 1, source: 'chat-bridge', actor: { type: 'user', id: who.uid }, data: { roomId: room, uid: who.uid, readAt: new Date().toISOString() } })

t.test('unread chat digest', async (t) => {
  const sink = await mailSink()
  // a window of 0.6 s; the job is driven with run()
  const app = await buildNotification({ SMTP_URL: sink.url, CHAT_DIGEST_ENABLED: 'true', CHAT_DIGEST_AFTER_MINUTES: '0.01', CHAT_DIGEST_INTERVAL_MS: '3600000' })
  t.teardown(async () => {
    await app.close()
    await sink.close()
  })
  const [mentor, mentee, other] = [await person(app, { role: 'mentor' }), await person(app), await person(app)]
  await known(app, mentor)
  await known(app, other)
  const [roomA, roomB] = [randomUUID(), randomUUID()]

  for (let i = 0; i < 3; i++) await publish(app, posted(roomA, mentee, [mentor]))
  await publish(app, posted(roomB, other, [mentor]))
  // `other` gets a message too, but reads the room before the window ends
  await publish(app, posted(roomB, mentor, [other]))
  await publish(app, read(roomB, other))
  const mark = await publish(app, read(randomUUID(), mentor))
  // the chat consumer keeps stream order: once the last read is applied, so is everything before it
  await waitFor(async () => (await app.db.selectFrom('chat_unread').select('uid').where('room_id', '=', (mark.data as { roomId: string }).roomId).executeTakeFirst()) !== undefined, 10_000, 50)

  await new Promise((r) => setTimeout(r, 700))
  t.equal(await app.chatDigest.run(), 2, 'two windows of the mentor closed')
  t.equal(await app.chatDigest.run(), 0, 'nothing due twice')

  const rows = await app.db.selectFrom('notifications').selectAll().where('event_type', '=', 'chat.digest').where('recipient_uid', 'in', [mentor.uid, other.uid]).execute()
  t.same(rows.map((r) => [r.recipient_uid, r.channel]).sort(), [[mentor.uid, 'email'], [mentor.uid, 'in_app']], 'one digest, to the mentor only')
  t.equal(rows.find((r) => r.channel === 'in_app')!.title, '읽지 않은 메시지 4개')
  const [mail] = await mailsTo(sink, mentor.email)
  t.match(mail!.text, '채팅방 2곳에 읽지 않은 메시지가 4개 있습니다.')

  // a new message opens a new window
  await publish(app, posted(roomA, mentee, [mentor]))
  await waitFor(async () => (await app.db.selectFrom('chat_unread').select('unread').where('uid', '=', mentor.uid).where('room_id', '=', roomA).executeTakeFirstOrThrow()).unread === 1, 10_000, 50)
  await new Promise((r) => setTimeout(r, 700))
  t.equal(await app.chatDigest.run(), 1)
})

t.test('CHAT_DIGEST_ENABLED=false: counted, not sent', async (t) => {
  const app = await buildNotification({ CHAT_DIGEST_ENABLED: 'false', CHAT_DIGEST_AFTER_MINUTES: '0.001', CHAT_DIGEST_INTERVAL_MS: '3600000' })
  t.teardown(() => app.close())
  const [a, b] = [await person(app), await person(app)]
  const room = randomUUID()
  await publish(app, posted(room, a, [b]))
  await waitFor(async () => (await app.db.selectFrom('chat_unread').select('unread').where('uid', '=', b.uid).executeTakeFirst())?.unread === 1, 10_000, 50)
  await new Promise((r) => setTimeout(r, 200))
  t.equal(await app.chatDigest.run(), 0)
})
