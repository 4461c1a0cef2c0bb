import { randomBytes, randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getFirestore } from 'firebase-admin/firestore'
import { addDoc, collection, getDocs, serverTimestamp, type DocumentReference } from 'firebase/firestore'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { emulatorProjectId, waitFor } from '@sunbae/testing'
import { createEvent } from '@sunbae/bus'
import { CatalogEvents } from '@sunbae/contracts'
import { SYSTEM_MESSAGE_IDS } from '../src/rooms/rooms.firestore.ts'
import { firestoreMissing, signedInClient, type ClientSession } from './firebase.ts'
import { acceptedEvent, buildChat, endedEvent, natsConnect, outboxEvents, publish, spawnChat } from './helpers.ts'

// The whole path against real services: NATS → consumer → Firestore emulator (rules loaded by
// `npm test`) → the web SDK with Auth-emulator tokens → sync → mirror → API.
const skip = firestoreMissing()
if (skip) t.comment(`skipping the chat-bridge Firestore tests: ${skip}`)

const word = () => `w${randomBytes(5).toString('hex')}`

t.test('chat-bridge against the Firestore emulator', { skip }, async (t) => {
  const admin = initializeApp({ projectId: emulatorProjectId() }, `chat-test-${randomUUID()}`)
  const fs = getFirestore(admin)
  const nc = await natsConnect()
  const sessions: ClientSession[] = []
  let app: FastifyInstance | null = await buildChat()
  t.teardown(async () => {
    await app?.close()
    await Promise.all(sessions.map((s) => s.close()))
    await nc.drain()
    await fs.terminate()
    await deleteApp(admin)
  })
  const client = async () => {
    const s = await signedInClient()
    sessions.push(s)
    return s
  }
  const [mentor, mentee, stranger] = await Promise.all([client(), client(), client()])
  const as = (s: ClientSession) => identityHeaders({ uid: s.user.uid, email: s.user.email })
  const adminHeaders = identityHeaders({ uid: `admin-${randomUUID()}`, role: 'admin' })
  const live = () => app!

  const accepted = acceptedEvent({ mentorUid: mentor.user.uid, menteeUid: mentee.user.uid })
  const roomId = accepted.data.matchId
  const roomRef = fs.collection('rooms').doc(roomId)
  const post = (s: ClientSession, text: string): Promise<DocumentReference> =>
    addDoc(collection(s.db, 'rooms', roomId, 'messages'), { authorUid: s.user.uid, text, type: 'user', createdAt: serverTimestamp(), updatedAt: serverTimestamp() })
  const messages = async (s: ClientSession, query = '') => {
    const res = await live().inject({ method: 'GET', url: `/api/chat/rooms/${roomId}/messages${query}`, headers: as(s) })
    return res
  }
  const mirrored = async (s: ClientSession, id: string) => {
    const res = await messages(s, '?limit=100')
    return res.statusCode === 200 && res.json().items.find((m: { id: string }) => m.id === id)
  }

  await t.test('matching.request.accepted opens the room once, even delivered twice', async (t) => {
    await publish(nc, accepted)
    await publish(nc, accepted) // same event id, new NATS message id: a redelivery
    const room = await waitFor(async () => (await roomRef.get()).data(), 10_000)
    t.same(room.members, [mentor.user.uid, mentee.user.uid])
    t.equal(room.matchId, roomId)
    t.equal(room.status, 'open')
    // the consumer marks the event once; the second delivery is a recorded duplicate
    await waitFor(async () => {
      const { rows } = await live().db.selectFrom('processed_events').selectAll().where('event_id', '=', accepted.id).execute().then((rows) => ({ rows }))
      return rows.length === 1
    }, 10_000)
    // a crash after the Firestore write but before the consumer's commit retries the write itself
    t.equal(await live().rooms.openRoom(accepted.data), false, 'a second open creates nothing')
    const after = (await roomRef.get()).data()!
    t.same(after.createdAt, room.createdAt, 'the room was not rewritten')
    const msgs = await roomRef.collection('messages').get()
    t.same(msgs.docs.map((d) => d.id), [SYSTEM_MESSAGE_IDS.opened], 'one system message')
    t.equal(msgs.docs[0]!.get('type'), 'system')
  })

  await t.test('the room reaches the mirror and both members list it', async (t) => {
    const listed = await waitFor(async () => {
      const res = await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(mentee) })
      // rooms and messages are separate feeds: wait for the opening message too
      return res.json().items.find((r: { id: string; lastMessage: unknown }) => r.id === roomId && r.lastMessage)
    }, 10_000)
    t.equal(listed.status, 'open')
    t.same(listed.members, [mentor.user.uid, mentee.user.uid])
    t.equal(listed.unread, 0)
    t.equal(listed.lastMessage.type, 'system')
    const forStranger = await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(stranger) })
    t.notOk(forStranger.json().items.some((r: { id: string }) => r.id === roomId))
  })

  let firstId = ''
  const text = `면접 준비 ${word()}`
  await t.test('a message written with the web SDK appears in the mirror and the API, announced once', async (t) => {
    const ref = await post(mentee, text)
    firstId = ref.id
    const m = await waitFor(() => mirrored(mentor, ref.id), 10_000)
    t.match(m, { id: ref.id, roomId, authorUid: mentee.user.uid, type: 'user', text, hidden: false })
    const rooms = (await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(mentor) })).json()
    const room = rooms.items.find((r: { id: string }) => r.id === roomId)
    t.equal(room.unread, 1, "unread for the mentor, who did not write it")
    t.equal(room.lastMessage.id, ref.id)
    const menteeRoom = (await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(mentee) })).json().items.find((r: { id: string }) => r.id === roomId)
    t.equal(menteeRoom.unread, 0, 'not unread for its author')
    const posted = await waitFor(async () => {
      const events = await outboxEvents(live(), 'chat.message.posted', 'messageId', ref.id)
      return events.length > 0 ? events : null
    }, 5_000)
    t.equal(posted.length, 1)
    t.match(posted[0]!.data, { roomId, matchId: roomId, authorUid: mentee.user.uid, recipientUids: [mentor.user.uid], length: [...text].length })
  })

  await t.test('members only: 403 from the API, permission-denied from Firestore', async (t) => {
    const res = await messages(stranger)
    t.equal(res.statusCode, 403)
    t.equal(res.json().error.code, 'NOT_A_MEMBER')
    const read = await live().inject({ method: 'POST', url: `/api/chat/rooms/${roomId}/read`, headers: as(stranger) })
    t.equal(read.statusCode, 403)
    await t.rejects(getDocs(collection(stranger.db, 'rooms', roomId, 'messages')), { code: 'permission-denied' })
    await t.rejects(post(stranger, 'let me in'), { code: 'permission-denied' })
    t.equal((await live().inject({ method: 'GET', url: `/api/chat/rooms/${roomId}/messages` })).statusCode, 401)
    t.equal((await live().inject({ method: 'GET', url: `/api/chat/rooms/${randomUUID()}/messages`, headers: as(mentee) })).statusCode, 404)
  })

  await t.test('history pages backwards; bad paging is a 400', async (t) => {
    const more: string[] = []
    for (let i = 0; i < 4; i++) more.push((await post(i % 2 ? mentor : mentee, `page ${i}`)).id)
    await waitFor(() => mirrored(mentee, more.at(-1)!), 10_000)
    const page1 = (await messages(mentee, '?limit=2')).json()
    t.same(page1.items.map((m: { id: string }) => m.id), [more[3], more[2]])
    t.equal(page1.nextBefore, more[2])
    const page2 = (await messages(mentee, `?limit=2&before=${page1.nextBefore}`)).json()
    t.same(page2.items.map((m: { id: string }) => m.id), [more[1], more[0]])
    const rest = (await messages(mentee, `?limit=10&before=${page2.nextBefore}`)).json()
    t.same(rest.items.map((m: { id: string }) => m.id), [firstId, SYSTEM_MESSAGE_IDS.opened])
    t.equal(rest.nextBefore, null)
    for (const q of ['?limit=0', '?limit=101', '?limit=x', '?before=unknown-id', '?before=a%2Fb', '?extra=1']) {
      const res = await messages(mentee, q)
      t.equal(res.statusCode, 400, q)
      t.equal(res.json().error.code.length > 0, true)
    }
  })

  await t.test('mark read', async (t) => {
    const res = await live().inject({ method: 'POST', url: `/api/chat/rooms/${roomId}/read`, headers: as(mentor) })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { roomId, unread: 0 })
    const room = (await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(mentor) })).json().items.find((r: { id: string }) => r.id === roomId)
    t.equal(room.unread, 0)
    // the platform is told (notification closes the mentor's unread-chat digest window with it)
    const reads = (await outboxEvents(live(), 'chat.room.read', 'roomId', roomId)).filter((e) => e.data.uid === mentor.user.uid)
    t.equal(reads.length, 1)
    t.match(reads[0], { type: 'chat.room.read', actor: { type: 'user', id: mentor.user.uid }, subject: { type: 'chat.room', id: roomId }, data: { roomId, uid: mentor.user.uid, readAt: String } })
  })

  await t.test('admins search by words and hide; the hide reaches Firestore, with an audit event', async (t) => {
    const q = text.split(' ').at(-1)!
    const asMember = await live().inject({ method: 'GET', url: `/api/admin/chat/messages?q=${q}`, headers: as(mentee) })
    t.equal(asMember.statusCode, 403)
    t.equal((await live().inject({ method: 'GET', url: '/api/admin/chat/messages?q=', headers: adminHeaders })).statusCode, 400)
    const found = (await live().inject({ method: 'GET', url: `/api/admin/chat/messages?q=${encodeURIComponent(`준비 ${q}`)}`, headers: adminHeaders })).json()
    t.same(found.items.map((m: { id: string }) => m.id), [firstId])

    const url = `/api/admin/chat/rooms/${roomId}/messages/${firstId}/hide`
    t.equal((await live().inject({ method: 'POST', url, headers: as(mentor), payload: { reason: 'spam' } })).statusCode, 403)
    t.equal((await live().inject({ method: 'POST', url, headers: adminHeaders, payload: {} })).statusCode, 400)
    t.equal((await live().inject({ method: 'POST', url: `/api/admin/chat/rooms/${roomId}/messages/nope/hide`, headers: adminHeaders, payload: { reason: 'spam' } })).statusCode, 404)
    const hidden = await live().inject({ method: 'POST', url, headers: adminHeaders, payload: { reason: '욕설' } })
    t.equal(hidden.statusCode, 200)
    t.match(hidden.json(), { id: firstId, hidden: true, text })

    const doc = (await roomRef.collection('messages').doc(firstId).get()).data()!
    t.equal(doc.hidden, true, 'hidden in Firestore')
    t.equal(doc.text, '', 'members reading Firestore no longer see the text')
    const seen = await waitFor(() => mirrored(mentee, firstId), 5_000)
    t.match(seen, { hidden: true, text: null }, 'members see that it was hidden, not what it said')
    const audit = await outboxEvents(live(), 'chat.message.hidden', 'messageId', firstId)
    t.equal(audit.length, 1)
    t.match(audit[0]!.data, { roomId, authorUid: mentee.user.uid, reason: '욕설' })

    // the sync then mirrors Firestore's blanked version: moderators keep the text
    await new Promise((r) => setTimeout(r, 500))
    const again = (await live().inject({ method: 'GET', url: `/api/admin/chat/messages?q=${q}`, headers: adminHeaders })).json()
    t.match(again.items, [{ id: firstId, hidden: true, text }])
    // hiding twice is a no-op: no second audit event
    t.equal((await live().inject({ method: 'POST', url, headers: adminHeaders, payload: { reason: 'again' } })).statusCode, 200)
    t.equal((await outboxEvents(live(), 'chat.message.hidden', 'messageId', firstId)).length, 1)
  })

  await t.test('admins unhide: the text is back in Firestore and for members, with an audit event', async (t) => {
    const url = `/api/admin/chat/rooms/${roomId}/messages/${firstId}/unhide`
    t.equal((await live().inject({ method: 'POST', url, headers: as(mentee), payload: { reason: 'mine' } })).statusCode, 403, 'a mentee gets 403')
    t.equal((await live().inject({ method: 'POST', url, headers: adminHeaders, payload: { reason: ' ' } })).statusCode, 400)
    t.equal((await live().inject({ method: 'POST', url: `/api/admin/chat/rooms/${roomId}/messages/nope/unhide`, headers: adminHeaders, payload: { reason: 'x' } })).statusCode, 404)
    const shown = await live().inject({ method: 'POST', url, headers: adminHeaders, payload: { reason: '오신고' } })
    t.equal(shown.statusCode, 200, shown.body)
    t.match(shown.json(), { id: firstId, hidden: false, text })
    const doc = (await roomRef.collection('messages').doc(firstId).get()).data()!
    t.equal(doc.hidden, false, 'visible in Firestore')
    t.equal(doc.text, text, 'members reading Firestore see the text again')
    t.equal(doc.hiddenAt, undefined)
    const seen = await waitFor(async () => {
      const m = await mirrored(mentee, firstId)
      return m && !m.hidden && m.text === text ? m : undefined
    }, 5_000)
    t.match(seen, { hidden: false, text }, 'members see it again through the API')
    const audit = await outboxEvents(live(), 'chat.message.unhidden', 'messageId', firstId)
    t.equal(audit.length, 1)
    t.match(audit[0], { actor: { type: 'user', role: 'admin' }, subject: { type: 'chat.message', id: `${roomId}/${firstId}` } })
    t.match(audit[0]!.data, { roomId, authorUid: mentee.user.uid, reason: '오신고' })
    // unhiding a visible message is a no-op: no second audit event
    t.equal((await live().inject({ method: 'POST', url, headers: adminHeaders, payload: { reason: 'again' } })).statusCode, 200)
    t.equal((await outboxEvents(live(), 'chat.message.unhidden', 'messageId', firstId)).length, 1)
  })

  await t.test('killed while members write: a restart catches up, nothing twice', async (t) => {
    // the in-process replica steps down; a separate process leads and is then killed outright
    await app!.close()
    app = null
    const child = spawnChat()
    t.teardown(() => void child.child.kill('SIGKILL'))
    const before = await post(mentor, `before the kill ${word()}`)
    const probe = await buildChat({ CHAT_SYNC_ENABLED: 'false' })
    t.teardown(() => probe.close())
    await waitFor(async () => {
      const res = await probe.inject({ method: 'GET', url: `/api/chat/rooms/${roomId}/messages?limit=100`, headers: as(mentor) })
      return res.json().items.some((m: { id: string }) => m.id === before.id)
      // a bound, not a measure: it includes starting the child process, 9–21 s on a loaded 2-core machine
    }, 60_000)
    child.child.kill('SIGKILL')
    await child.exited

    const during: string[] = []
    for (let i = 0; i < 6; i++) during.push((await post(i % 2 ? mentor : mentee, `while down ${i}`)).id)
    await new Promise((r) => setTimeout(r, 300))
    const stale = (await probe.inject({ method: 'GET', url: `/api/chat/rooms/${roomId}/messages?limit=100`, headers: as(mentor) })).json()
    t.notOk(stale.items.some((m: { id: string }) => during.includes(m.id)), 'nothing is mirrored while chat-bridge is down')

    app = await buildChat()
    const all = await waitFor(async () => {
      const res = await live().inject({ method: 'GET', url: `/api/chat/rooms/${roomId}/messages?limit=100`, headers: as(mentor) })
      const items = res.json().items as { id: string }[]
      return during.every((id) => items.some((m) => m.id === id)) ? items : null
    }, 60_000)
    const ids = all.map((m) => m.id)
    t.equal(new Set(ids).size, ids.length, 'no message twice in the mirror')
    for (const id of [before.id, ...during]) {
      const posted = await waitFor(async () => {
        const e = await outboxEvents(live(), 'chat.message.posted', 'messageId', id)
        return e.length > 0 ? e : null
      }, 5_000)
      t.equal(posted.length, 1, `chat.message.posted once for ${id}`)
    }
    const room = (await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(mentor) })).json().items.find((r: { id: string }) => r.id === roomId)
    t.equal(room.unread, 3, 'the three messages the mentee wrote while it was down')
    t.equal(room.lastMessage.id, during.at(-1))
  })

  await t.test('matching.match.ended makes the room read-only', async (t) => {
    await publish(nc, endedEvent(accepted.data))
    await waitFor(async () => (await roomRef.get()).get('status') === 'closed', 10_000)
    await t.rejects(post(mentee, 'still there?'), { code: 'permission-denied' })
    const room = await waitFor(async () => {
      const res = await live().inject({ method: 'GET', url: '/api/chat/rooms', headers: as(mentee) })
      const r = res.json().items.find((x: { id: string }) => x.id === roomId)
      // rooms and messages are separate feeds: wait for both the status and the closing message
      return r?.status === 'closed' && r.lastMessage.id === SYSTEM_MESSAGE_IDS.closed && r
    }, 10_000)
    t.equal(room.lastMessage.type, 'system')
    // members can still read the history
    t.equal((await messages(mentee)).statusCode, 200)
  })

  await t.test("catalog.user.deleted blanks the deleted member's messages in Firestore and the mirror", async (t) => {
    const deleted = createEvent({
      type: CatalogEvents.userDeleted.type, version: 1, source: 'mentor-catalog',
      actor: { type: 'user', id: mentee.user.uid }, subject: { type: 'user', id: mentee.user.uid },
      data: { uid: mentee.user.uid, deletedAt: new Date().toISOString() },
    })
    await publish(nc, deleted)
    await publish(nc, deleted, randomUUID()) // a redelivery: marked once, harmless
    const docs = await waitFor(async () => {
      const q = await roomRef.collection('messages').where('authorUid', '==', mentee.user.uid).get()
      return q.size > 0 && q.docs.every((d) => d.get('text') === '') ? q.docs : null
    }, 15_000)
    t.ok(docs.every((d) => d.get('erased') === true), 'every message the member wrote is blanked in Firestore')
    const items = await waitFor(async () => {
      const res = await messages(mentor, '?limit=100')
      const theirs = res.json().items.filter((m: { authorUid: string }) => m.authorUid === mentee.user.uid)
      return theirs.length > 0 && theirs.every((m: { text: string }) => m.text === '') ? res.json().items : null
    }, 15_000)
    t.notOk(JSON.stringify(items).includes(text), 'their words are gone from the API')
    const found = await live().inject({ method: 'GET', url: `/api/admin/chat/messages?q=${encodeURIComponent(text)}`, headers: adminHeaders })
    t.notOk(found.body.includes(text), "and from the admins' search (the mirror's kept text too)")
  })
})
