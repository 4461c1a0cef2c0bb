import { randomBytes, randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { createDb, DEFAULT_ADMIN_URL, serviceDatabaseUrl } from '@sunbae/db'
import type { ChatMirror, MirrorMessage, MirrorRoom } from '../src/mirror/mirror.ts'
import { PostgresChatMirror } from '../src/mirror/mirror.postgres.repository.ts'
import { MongoChatMirror } from '../src/mirror/mirror.mongo.ts'
import type { DB } from '../src/db/types.ts'
import pkg from '../package.json' with { type: 'json' }

// One contract, every ChatMirror implementation.

const word = () => `w${randomBytes(5).toString('hex')}`
const at = (ms: number) => new Date(Date.UTC(2026, 10, 28, 9, 0, 0) + ms)

function room(over: Partial<MirrorRoom> = {}): MirrorRoom {
  const id = randomUUID()
  return { id, matchId: id, members: [`mentor-${id}`, `mentee-${id}`], status: 'open', createdAt: at(0), closedAt: null, ...over }
}

function message(r: MirrorRoom, over: Partial<MirrorMessage> = {}): MirrorMessage {
  return {
    id: randomBytes(10).toString('hex'),
    roomId: r.id,
    authorUid: r.members[1]!,
    type: 'user',
    text: '안녕하세요 멘토님',
    hidden: false,
    createdAt: at(1000),
    updatedAt: at(1000),
    ...over,
  }
}

function contract(t: Test, make: () => Promise<ChatMirror>) {
  let mirror: ChatMirror
  t.before(async () => {
    mirror = await make()
  })
  t.teardown(() => mirror.close())

  t.test('rooms: upsert is idempotent, listed for members only', async (t) => {
    const r = room()
    await mirror.upsertRoom(r)
    await mirror.upsertRoom(r)
    t.same(await mirror.getRoom(r.id), r)
    const [mentor, mentee] = r.members as [string, string]
    const mine = await mirror.listRooms(mentee, 50)
    t.same(mine.map((x) => x.id), [r.id])
    t.equal(mine[0]!.unread, 0)
    t.equal(mine[0]!.lastMessage, null)
    t.same((await mirror.listRooms(mentor, 50)).map((x) => x.id), [r.id])
    t.same(await mirror.listRooms(`stranger-${r.id}`, 50), [])
    t.equal(await mirror.getRoom(randomUUID()), null)

    await mirror.upsertRoom({ ...r, status: 'closed', closedAt: at(5000) })
    t.same(await mirror.getRoom(r.id), { ...r, status: 'closed', closedAt: at(5000) })
  })

  t.test('messages: upserted by id, last message and unread counts move once', async (t) => {
    const r = room()
    const [mentor, mentee] = r.members as [string, string]
    await mirror.upsertRoom(r)
    const system = message(r, { authorUid: null, type: 'system', text: 'matched', createdAt: at(0), updatedAt: at(0) })
    const m1 = message(r, { createdAt: at(1000), updatedAt: at(1000) })
    const m2 = message(r, { authorUid: mentor, text: '반가워요', createdAt: at(2000), updatedAt: at(2000) })
    t.same(await mirror.upsertMessage(system), { inserted: true })
    t.same(await mirror.upsertMessage(m1), { inserted: true })
    t.same(await mirror.upsertMessage(m2), { inserted: true })
    // a replay of the same changes (redelivery, catch-up overlap) changes nothing
    t.same(await mirror.upsertMessage(m1), { inserted: false })
    t.same(await mirror.upsertMessage(m2), { inserted: false })

    const [forMentor] = await mirror.listRooms(mentor, 50)
    const [forMentee] = await mirror.listRooms(mentee, 50)
    t.equal(forMentor!.unread, 1, 'the mentee wrote one message to the mentor')
    t.equal(forMentee!.unread, 1, 'the mentor wrote one message to the mentee; system messages do not count')
    t.same(forMentor!.lastMessage, m2)

    // an older message arriving late does not become the last one
    const late = message(r, { createdAt: at(1500), updatedAt: at(3000) })
    await mirror.upsertMessage(late)
    t.same((await mirror.listRooms(mentor, 50))[0]!.lastMessage, m2)
    t.equal((await mirror.listRooms(mentor, 50))[0]!.unread, 2)

    t.equal(await mirror.markRead(r.id, mentor, at(4000)), true)
    t.equal((await mirror.listRooms(mentor, 50))[0]!.unread, 0)
    t.equal((await mirror.listRooms(mentee, 50))[0]!.unread, 1, 'reading is per member')
    t.equal(await mirror.markRead(r.id, `stranger-${r.id}`, at(4000)), false)
    t.same(await mirror.getMessage(r.id, m1.id), m1)
    t.equal(await mirror.getMessage(r.id, 'nope'), null)
  })

  t.test('a batch upserts in order and reports the first inserts', async (t) => {
    const r = room()
    const [mentor] = r.members as [string, string]
    await mirror.upsertRoom(r)
    const a = message(r, { createdAt: at(1000) })
    const b = message(r, { createdAt: at(2000) })
    t.same(await mirror.upsertMessages([a, b]), { inserted: [a.id, b.id] })
    const c = message(r, { createdAt: at(3000) })
    t.same(await mirror.upsertMessages([b, c, a]), { inserted: [c.id] }, 'replayed ones are not new')
    t.same(await mirror.upsertMessages([]), { inserted: [] })
    const [summary] = await mirror.listRooms(mentor, 50)
    t.equal(summary!.unread, 3)
    t.same(summary!.lastMessage, c)
  })

  t.test('a batch across rooms and authors counts unread per member and moves each last message', async (t) => {
    const r1 = room()
    const r2 = room()
    const [mentor1, mentee1] = r1.members as [string, string]
    const [mentor2, mentee2] = r2.members as [string, string]
    await mirror.upsertRoom(r1)
    await mirror.upsertRoom(r2)
    const batch = [
      message(r1, { authorUid: mentee1, createdAt: at(1000) }),
      message(r2, { authorUid: mentor2, createdAt: at(1100) }),
      message(r1, { authorUid: mentor1, createdAt: at(3000) }),
      message(r1, { authorUid: mentee1, createdAt: at(2000) }),
      message(r1, { authorUid: mentee1, hidden: true, createdAt: at(2500) }),
      message(r2, { authorUid: null, type: 'system', text: 'closed', createdAt: at(1200) }),
    ]
    t.same(await mirror.upsertMessages(batch), { inserted: batch.map((m) => m.id) })
    const unread = async (uid: string) => (await mirror.listRooms(uid, 50))[0]!
    t.equal((await unread(mentor1)).unread, 2, 'two visible messages of the mentee')
    t.equal((await unread(mentee1)).unread, 1)
    t.equal((await unread(mentor2)).unread, 0)
    t.equal((await unread(mentee2)).unread, 1)
    t.same((await unread(mentor1)).lastMessage, batch[2])
    t.same((await unread(mentor2)).lastMessage, batch[5])

    // the same message twice in one batch: upserted in order, inserted (and counted) once
    const again = message(r1, { authorUid: mentee1, createdAt: at(4000), updatedAt: at(4000) })
    const edited = { ...again, text: 'edited', updatedAt: at(4500) }
    t.same(await mirror.upsertMessages([batch[0]!, again, edited]), { inserted: [again.id] })
    t.equal((await unread(mentor1)).unread, 3)
    t.same(await mirror.getMessage(r1.id, again.id), edited)
  })

  t.test('a member who did not write gets every other author of the batch counted', async (t) => {
    const id = randomUUID()
    const r = room({ members: [`a-${id}`, `b-${id}`, `c-${id}`] })
    const [a, b, c] = r.members as [string, string, string]
    await mirror.upsertRoom(r)
    const batch = [
      message(r, { authorUid: a, createdAt: at(1000) }),
      message(r, { authorUid: b, createdAt: at(1100) }),
      message(r, { authorUid: a, createdAt: at(1200) }),
      message(r, { authorUid: null, type: 'system', text: 'notice', createdAt: at(1300) }),
    ]
    await mirror.upsertMessages(batch)
    const unread = async (uid: string) => (await mirror.listRooms(uid, 50))[0]!.unread
    t.equal(await unread(c), 3, "both authors' messages")
    t.equal(await unread(a), 1)
    t.equal(await unread(b), 2)
  })

  t.test('rooms are ordered by latest activity', async (t) => {
    const uid = `member-${randomUUID()}`
    const quiet = room({ members: [uid, 'a'], createdAt: at(0) })
    const busy = room({ members: [uid, 'b'], createdAt: at(0) })
    const fresh = room({ members: [uid, 'c'], createdAt: at(10_000) })
    for (const r of [quiet, busy, fresh]) await mirror.upsertRoom(r)
    await mirror.upsertMessage(message(busy, { authorUid: 'b', createdAt: at(20_000), updatedAt: at(20_000) }))
    t.same((await mirror.listRooms(uid, 50)).map((r) => r.id), [busy.id, fresh.id, quiet.id])
    t.same((await mirror.listRooms(uid, 2)).map((r) => r.id), [busy.id, fresh.id])
  })

  t.test('history pages backwards by (createdAt, id)', async (t) => {
    const r = room()
    await mirror.upsertRoom(r)
    const msgs: MirrorMessage[] = []
    for (let i = 0; i < 7; i++) {
      // two messages share each timestamp: the id breaks the tie
      const m = message(r, { id: `m${i}`, text: `message ${i}`, createdAt: at(1000 * Math.floor(i / 2)), updatedAt: at(1000 * i) })
      msgs.push(m)
      await mirror.upsertMessage(m)
    }
    const newestFirst = [...msgs].reverse()
    const page1 = await mirror.listMessages(r.id, { limit: 3 })
    t.same(page1, newestFirst.slice(0, 3))
    const page2 = await mirror.listMessages(r.id, { before: page1!.at(-1)!.id, limit: 3 })
    t.same(page2, newestFirst.slice(3, 6))
    const page3 = await mirror.listMessages(r.id, { before: page2!.at(-1)!.id, limit: 3 })
    t.same(page3, newestFirst.slice(6))
    t.same(await mirror.listMessages(r.id, { before: 'm0', limit: 3 }), [])
    t.equal(await mirror.listMessages(r.id, { before: 'unknown', limit: 3 }), null, 'an unknown cursor is not an empty page')
    t.same(await mirror.listMessages(randomUUID(), { limit: 3 }), [])
  })

  t.test('search matches every word, hidden messages included, newest first', async (t) => {
    const r = room()
    await mirror.upsertRoom(r)
    const [a, b, c] = [word(), word(), word()]
    const both = message(r, { text: `면접 ${a} 준비 ${b}`, createdAt: at(2000) })
    const onlyA = message(r, { text: `${a.toUpperCase()} only`, createdAt: at(1000) })
    await mirror.upsertMessage(onlyA)
    await mirror.upsertMessage(both)
    t.same((await mirror.searchMessages(a, 10)).map((m) => m.id), [both.id, onlyA.id], 'case-insensitive, newest first')
    t.same((await mirror.searchMessages(`${a} ${b}`, 10)).map((m) => m.id), [both.id], 'all words must match')
    t.same((await mirror.searchMessages(a, 1)).map((m) => m.id), [both.id], 'limited')
    t.same(await mirror.searchMessages(c, 10), [])
  })

  t.test('hiding keeps the text for moderators and survives replays', async (t) => {
    const r = room()
    const [mentor] = r.members as [string, string]
    await mirror.upsertRoom(r)
    const m = message(r)
    await mirror.upsertMessage(m)
    const hidden = await mirror.hideMessage(r.id, m.id, at(9000))
    t.same(hidden, { ...m, hidden: true, updatedAt: at(9000) })
    t.equal((await mirror.listRooms(mentor, 50))[0]!.lastMessage!.hidden, true)
    // the sync replays the pre-hide version from before its checkpoint: still hidden
    t.same(await mirror.upsertMessage(m), { inserted: false })
    t.equal((await mirror.getMessage(r.id, m.id))!.hidden, true)
    // then Firestore's hidden version, text blanked: moderators still read the original
    await mirror.upsertMessage({ ...m, text: '', hidden: true, updatedAt: at(9001) })
    t.same(await mirror.getMessage(r.id, m.id), { ...m, hidden: true, updatedAt: at(9001) })
    t.equal(await mirror.hideMessage(r.id, 'nope', at(9000)), null)

    // a hidden message arriving first does not count as unread
    const r2 = room()
    await mirror.upsertRoom(r2)
    await mirror.upsertMessage(message(r2, { hidden: true }))
    t.equal((await mirror.listRooms(r2.members[0]!, 50))[0]!.unread, 0)
  })

  t.test('unhiding shows the kept text again; a replay of the hidden version does not hide it again', async (t) => {
    const r = room()
    const [mentor] = r.members as [string, string]
    await mirror.upsertRoom(r)
    const m = message(r)
    await mirror.upsertMessage(m)
    await mirror.hideMessage(r.id, m.id, at(9000))
    await mirror.upsertMessage({ ...m, text: '', hidden: true, updatedAt: at(9001) })
    const shown = await mirror.unhideMessage(r.id, m.id, at(9500))
    t.same(shown, { ...m, hidden: false, updatedAt: at(9500) })
    t.equal((await mirror.listRooms(mentor, 50))[0]!.lastMessage!.hidden, false)
    // the sync replays Firestore's hidden version (older than the unhide): still visible, text kept
    await mirror.upsertMessage({ ...m, text: '', hidden: true, updatedAt: at(9001) })
    t.same(await mirror.getMessage(r.id, m.id), { ...m, hidden: false, updatedAt: at(9500) })
    // then Firestore's visible version, text restored, newer
    await mirror.upsertMessage({ ...m, hidden: false, updatedAt: at(9600) })
    t.same(await mirror.getMessage(r.id, m.id), { ...m, hidden: false, updatedAt: at(9600) })
    // and a moderator may hide it again
    await mirror.hideMessage(r.id, m.id, at(9700))
    t.equal((await mirror.getMessage(r.id, m.id))!.hidden, true)
    t.equal(await mirror.unhideMessage(r.id, 'nope', at(9800)), null)
  })

  t.test("erasing an author (a deleted account) blanks their messages, hidden ones too, and no one else's", async (t) => {
    const r = room()
    await mirror.upsertRoom(r)
    const [mentor, mentee] = r.members as [string, string]
    const mine = message(r, { text: '제 번호는 010-0000-0000' })
    const hiddenMine = message(r, { text: '숨겨진 내 메시지', createdAt: at(1100), updatedAt: at(1100) })
    const theirs = message(r, { authorUid: mentor, text: '멘토의 답장', createdAt: at(1200), updatedAt: at(1200) })
    await mirror.upsertMessages([mine, hiddenMine, theirs])
    await mirror.hideMessage(r.id, hiddenMine.id, at(1300))
    t.equal(await mirror.eraseAuthor(mentee), 2, 'both of the author\'s messages')
    t.equal((await mirror.getMessage(r.id, mine.id))!.text, '')
    t.equal((await mirror.getMessage(r.id, hiddenMine.id))!.text, '', 'the text kept for moderators goes too')
    t.equal((await mirror.getMessage(r.id, theirs.id))!.text, '멘토의 답장', "the other member's message stays")
    t.same((await mirror.searchMessages('010-0000-0000', 10)).map((m) => m.id), [], 'no longer found by search')
    t.equal(await mirror.eraseAuthor(mentee), 0, 'idempotent')
  })

  t.test('checkpoints only move forward', async (t) => {
    const name = `test-${randomUUID()}`
    t.equal(await mirror.getCheckpoint(name), null)
    await mirror.setCheckpoint(name, { position: at(5000) })
    t.same(await mirror.getCheckpoint(name), { position: at(5000) })
    await mirror.setCheckpoint(name, { position: at(1000) })
    t.same(await mirror.getCheckpoint(name), { position: at(5000) }, 'a late writer cannot move it back')
    await mirror.setCheckpoint(name, { position: at(7000) })
    t.same(await mirror.getCheckpoint(name), { position: at(7000) })
  })
}

t.test('Postgres mirror', async (t) => {
  const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL
  const database = createDb<DB>({
    connectionString: serviceDatabaseUrl(adminUrl, pkg.sunbae.schema),
    schema: pkg.sunbae.schema,
    service: 'chat-bridge-test',
    slowQueryMs: 10_000,
  })
  t.teardown(() => database.close())
  contract(t, async () => new PostgresChatMirror(database.db))
})

const mongoUrl = process.env.MONGO_URL
t.test('MongoDB mirror', { skip: mongoUrl ? false : 'MONGO_URL is not set: the MongoDB run of the chat mirror contract is skipped' }, async (t) => {
  // a database of its own per run, dropped at the end
  const dbName = `sunbae_chat_test_${randomBytes(4).toString('hex')}`
  contract(t, () => MongoChatMirror.connect(mongoUrl!, dbName))
  t.teardown(async () => {
    const { MongoClient } = await import('mongodb')
    const client = await MongoClient.connect(mongoUrl!)
    await client.db(dbName).dropDatabase()
    await client.close()
  })
})
