import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { DocumentReference, Firestore } from 'firebase-admin/firestore'
import { sql } from 'kysely'
import { v7 as uuidv7 } from 'uuid'
import { Transactions } from '@sunbae/db'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { waitFor } from '@sunbae/testing'
import { notificationDatabase } from '../src/db/database.ts'
import { FeedSync } from '../src/notifications/feed-sync.ts'
import { FirestoreFeed } from '../src/notifications/firestore-feed.service.ts'
import { NotificationsRepository } from '../src/notifications/notifications.repository.ts'
import { buildNotification } from './helpers.ts'
import { firestoreMissing } from './firestore.ts'

// The feed sync (in-app rows → Firestore) writes several batches at once: a row committed while a
// batch is in flight does not wait for it. Shown by the order of events, with the real Postgres and
// Firestore emulator: a batch's commit is held open (the Firestore handle below lets it through
// only when told), and the tests look at what else happens meanwhile. The app's own sync is
// stopped, so only the FeedSync under test writes.

const noFirestore = firestoreMissing()

/** The app's Firestore, with a batch commit held before it reaches the emulator when asked, and each document's writes counted. */
function heldFirestore(fs: Firestore) {
  const writes = new Map<string, number>()
  const holds: { entered: () => void; released: Promise<void> }[] = []
  const releases: (() => void)[] = []
  const firestore = {
    doc: (path: string) => fs.doc(path),
    batch: () => {
      const batch = fs.batch()
      const ids: string[] = []
      const wrapped = {
        set(ref: DocumentReference, data: Record<string, unknown>) {
          batch.set(ref, data)
          ids.push(ref.id)
          return wrapped
        },
        async commit() {
          const hold = holds.shift()
          if (hold) {
            hold.entered()
            await hold.released
          }
          const r = await batch.commit()
          for (const id of ids) writes.set(id, (writes.get(id) ?? 0) + 1)
          return r
        },
      }
      return wrapped
    },
  } as unknown as Firestore
  /** The next batch commit waits for `release()`; `entered` resolves when a batch has reached it (its rows taken and locked). */
  const holdNext = () => {
    let entered!: () => void
    let release!: () => void
    const reached = new Promise<void>((r) => (entered = r))
    holds.push({ entered, released: new Promise<void>((r) => (release = r)) })
    releases.push(release)
    return { entered: reached, release }
  }
  /** lets every held commit through (a failed test must not leave a writer waiting) */
  const releaseAll = () => releases.forEach((r) => r())
  return { firestore, writes, holdNext, releaseAll }
}

async function setUp(t: Test, writers: number) {
  const app = await buildNotification({ FIRESTORE_SYNC_INTERVAL_MS: '3600000' })
  await app.feedSync.stop()
  const db = notificationDatabase(app.db)
  const repo = new NotificationsRepository(db)
  const held = heldFirestore(app.firestore)
  const sync = new FeedSync(new FirestoreFeed(new Transactions(db), repo, held.firestore), { batch: 200, writers, logger: app.log })
  /** the syncs under test: stopped (their held commits let through) before the app closes its pool */
  const syncs = [sync]
  t.teardown(async () => {
    held.releaseAll()
    await Promise.all(syncs.map((s) => s.stop()))
    await app.close()
  })
  const uid = `u-${randomUUID()}`
  /** n in-app rows of one event for `uid`, committed; their ids */
  const insert = async (n = 1): Promise<string[]> => {
    const event = randomUUID()
    const rows = Array.from({ length: n }, (_, i) => ({
      id: uuidv7(),
      event_id: event,
      event_type: 'matching.request.created',
      recipient_uid: `${uid}-${i}`,
      channel: 'in_app',
      category: 'requests',
      locale: 'ko',
      title: '새 1:1 요청',
      body: '안녕하세요',
      link: '/me?tab=requests',
    }))
    await new Transactions(db).run((trx) => repo.insertAll(rows, [], trx))
    return rows.map((r) => r.id)
  }
  const doc = (id: string, i = 0) => app.firestore.doc(`users/${uid}-${i}/notifications/${id}`).get()
  const syncedAt = async (id: string) => (await app.db.selectFrom('notifications').select('firestore_synced_at').where('id', '=', id).executeTakeFirstOrThrow()).firestore_synced_at
  return { app, sync, syncs, insert, doc, syncedAt, uid, ...held }
}

t.test('a row committed while a batch is in flight is written by another writer, not after it', { skip: noFirestore }, async (t) => {
  const { sync, insert, doc, syncedAt, holdNext, writes } = await setUp(t, 2)
  const hold = holdNext()
  const [a] = await insert()
  sync.wake()
  await hold.entered
  const [b] = await insert()
  sync.wake()
  await waitFor(async () => (await doc(b!)).exists && (await syncedAt(b!)) !== null, 15_000, 20)
  t.pass('the later row is in Firestore and marked while the first batch is still committing')
  t.notOk((await doc(a!)).exists, 'the held batch has not reached Firestore')
  t.equal(await syncedAt(a!), null, 'and its mark is not committed (its transaction is open)')
  hold.release()
  await sync.drain()
  t.ok((await doc(a!)).exists, 'released: the first row is written')
  t.not(await syncedAt(a!), null)
  t.same([writes.get(a!), writes.get(b!)], [1, 1], 'each written once')
})

t.test('every writer busy: the first to finish takes the rows committed meanwhile, without another wake', { skip: noFirestore }, async (t) => {
  const { sync, insert, doc, holdNext } = await setUp(t, 1)
  const hold = holdNext()
  const [a] = await insert()
  sync.wake()
  await hold.entered
  const [c] = await insert()
  sync.wake()
  t.equal(sync.writing, 1, 'no second writer beyond the limit')
  hold.release()
  // no timer (an hour) and no further wake: only the busy writer going once more can write it
  await waitFor(async () => (await doc(c!)).exists, 15_000, 20)
  t.ok((await doc(a!)).exists)
  await waitFor(() => sync.writing === 0, 15_000, 20)
})

t.test('two replicas with three writers each: every row written once and marked', { skip: noFirestore }, async (t) => {
  const one = await setUp(t, 3)
  const db = notificationDatabase(one.app.db)
  // a second replica: its own FeedSync over the same database and Firestore (counting into the same map)
  const other = new FeedSync(new FirestoreFeed(new Transactions(db), new NotificationsRepository(db), one.firestore), { batch: 200, writers: 3, logger: one.app.log })
  one.syncs.push(other)
  const ids: string[] = []
  const inserting: Promise<void>[] = []
  for (let i = 0; i < 40; i++) {
    inserting.push(
      one.insert(5).then((batch) => {
        ids.push(...batch)
        ;(i % 2 === 0 ? one.sync : other).wake()
      }),
    )
  }
  await Promise.all(inserting)
  await Promise.all([one.sync.drain(), other.drain()])
  t.equal(ids.length, 200)
  const counts = ids.map((id) => one.writes.get(id) ?? 0)
  t.same(
    counts.filter((n) => n !== 1),
    [],
    'no row written twice or left out',
  )
  const unsynced = await one.app.db.selectFrom('notifications').select('id').where('id', 'in', ids).where('firestore_synced_at', 'is', null).execute()
  t.same(unsynced, [], 'every row marked')
})

t.test('a read mark while the row is being written waits for it, and the document is written again with readAt', { skip: noFirestore }, async (t) => {
  const { app, sync, insert, doc, holdNext, uid } = await setUp(t, 2)
  const hold = holdNext()
  const [a] = await insert()
  sync.wake()
  await hold.entered
  let answered = false
  const reading = app.inject({ method: 'POST', url: '/api/notifications/read', headers: identityHeaders({ uid: `${uid}-0` }), payload: { ids: [a] } }).finally(() => (answered = true))
  // the mark's UPDATE waits on the row the in-flight batch holds
  await waitFor(async () => {
    if (answered) throw new Error(`the read mark was answered while the row was held: ${(await reading).body}`)
    const r = await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(app.db)
    return r.rows[0]!.n > 0
  }, 15_000, 20)
  hold.release()
  const res = await reading
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { updated: 1, unreadCount: 0 })
  await sync.drain()
  const d = await doc(a!)
  t.ok(d.exists)
  t.not(d.get('readAt'), null, 'the document written after the read mark has readAt')
})
