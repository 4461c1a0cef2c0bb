import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import { Timestamp, type Firestore, type Query, type QueryDocumentSnapshot } from 'firebase-admin/firestore'
import { ChatEvents, type MessagePostedV1 } from '@sunbae/contracts'
import type { EventMeta } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import type { ChatMirror, MirrorMessage, MirrorRoom } from '../mirror/mirror.ts'
import { MESSAGES, ROOMS } from '../rooms/rooms.firestore.ts'
import { toMirrorMessage, toMirrorRoom, updatedAtOf } from './documents.ts'
import { SyncRepository, type Lease } from './sync.repository.ts'

export interface FirestoreSyncOptions {
  firestore: Firestore
  mirror: ChatMirror
  db: Database<DB>
  events: FastifyInstance['events']
  log: FastifyBaseLogger
  /** checkpoint and leader-lock name */
  name: string
  /** follower retry and leader lock check interval */
  leaseCheckMs: number
  /** documents per catch-up page */
  pageSize?: number
  /** a listener re-subscribes from the checkpoint after this many changes (bounds its memory) */
  resubscribeAfter?: number
  /**
   * most changes applied as one batch (default 500): a backlog is worked off in batches of this size,
   * so a transaction, its statements and the outbox insert stay bounded however far the sync is behind
   */
  maxBatch?: number
  /** where a feed's changes come from once caught up (default: the query's Firestore listener, listenToQuery) */
  listen?: Listen
}

/**
 * Follows a feed from `from`: calls `onChanges` with the added and modified documents of each
 * snapshot, in the order the snapshot lists them; returns the unsubscribe function.
 */
export type Listen = (
  feed: 'rooms' | 'messages',
  query: Query,
  from: Timestamp,
  onChanges: (docs: QueryDocumentSnapshot[]) => void,
  onError: (err: unknown) => void,
) => () => void

/** The Firestore listener of the feed's query (removals are ignored: the mirror keeps history). */
export const listenToQuery: Listen = (_feed, query, _from, onChanges, onError) =>
  query.onSnapshot((snap) => {
    const docs: QueryDocumentSnapshot[] = []
    for (const c of snap.docChanges()) if (c.type !== 'removed') docs.push(c.doc)
    if (docs.length > 0) onChanges(docs)
  }, onError)

interface Feed {
  key: 'rooms' | 'messages'
  /** changes with updatedAt ≥ from, in updatedAt order */
  query(from: Timestamp): Query
  /** writes the batch to the mirror; resolves with what is left to do after it (announcing), if anything */
  apply(docs: QueryDocumentSnapshot[]): Promise<(() => Promise<void>) | void>
}

const EPOCH = Timestamp.fromMillis(0)
const ROOM_CACHE_MAX = 10_000

/**
 * Keeps the mirror in step with Firestore: rooms and messages are read in updatedAt order from a
 * checkpoint stored in the mirror — first in pages (catch-up after downtime), then through a
 * listener — and upserted by Firestore id. The checkpoint moves only after a batch is applied,
 * and re-reading from it includes the documents at the checkpoint itself: after a crash some
 * changes are applied twice, which the upserts and the chat.message.posted ledger make harmless.
 *
 * One replica leads at a time: the leader holds a Postgres session advisory lock on a dedicated
 * connection (released by the server if the process dies); the others retry every leaseCheckMs.
 */
export class FirestoreSync {
  readonly #o: FirestoreSyncOptions
  readonly #repo: SyncRepository
  readonly #feeds: Feed[]
  readonly #rooms = new Map<string, MirrorRoom>()
  #stopped = false
  #wake: AbortController = new AbortController()
  #loop: Promise<void> | null = null
  #leader = false
  /** the announcing and checkpoint of the last batch handed on (each waits for the one before; rejected once one failed) */
  #settling: Promise<void> = Promise.resolve()

  constructor(opts: FirestoreSyncOptions) {
    this.#o = opts
    this.#repo = new SyncRepository(opts.db)
    const fs = opts.firestore
    this.#feeds = [
      {
        key: 'rooms',
        query: (from) => fs.collection(ROOMS).where('updatedAt', '>=', from).orderBy('updatedAt'),
        apply: (docs) => this.#applyRooms(docs),
      },
      {
        key: 'messages',
        query: (from) => fs.collectionGroup(MESSAGES).where('updatedAt', '>=', from).orderBy('updatedAt'),
        apply: (docs) => this.#applyMessages(docs),
      },
    ]
  }

  get isLeader(): boolean {
    return this.#leader
  }

  start(): void {
    this.#loop ??= this.#run()
  }

  /** Stops following; the batch being applied finishes and the lock is released. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#wake.abort()
    await this.#loop
  }

  async #run(): Promise<void> {
    const key = `chat-bridge:sync:${this.#o.name}`
    while (!this.#stopped) {
      try {
        await this.#repo.withLeadership(key, async (lease) => {
          this.#leader = true
          this.#o.log.info({ sync: this.#o.name }, 'chat sync: leading')
          try {
            await this.#lead(lease)
          } finally {
            this.#leader = false
          }
        })
      } catch (err) {
        this.#o.log.error({ err, sync: this.#o.name }, 'chat sync: stopped leading; retrying')
      }
      if (!this.#stopped) await sleep(this.#o.leaseCheckMs, undefined, { signal: this.#wake.signal }).catch(() => {})
    }
  }

  async #lead(lease: Lease): Promise<void> {
    // what the last lead left was awaited when its listeners closed
    this.#settling = Promise.resolve()
    for (const feed of this.#feeds) await this.#catchUp(feed)
    if (this.#stopped) return

    let failure: unknown = null
    let wakeLead: () => void = () => {}
    const leadEnded = new Promise<void>((resolve) => (wakeLead = resolve))
    const fail = (err: unknown) => {
      failure ??= err
      wakeLead()
    }
    const listeners = await Promise.all(this.#feeds.map((feed) => this.#listen(feed, fail)))
    const onStop = () => wakeLead()
    this.#wake.signal.addEventListener('abort', onStop)
    // the lock lives as long as its connection: lead only while it answers
    const leaseCheck = setInterval(() => {
      lease.check().catch(fail)
    }, this.#o.leaseCheckMs)
    try {
      await leadEnded
    } finally {
      clearInterval(leaseCheck)
      this.#wake.signal.removeEventListener('abort', onStop)
      await Promise.all(listeners.map((l) => l.close()))
    }
    if (failure) throw failure
  }

  /** Applies every change since the checkpoint, a page at a time, moving the checkpoint per page. */
  async #catchUp(feed: Feed): Promise<void> {
    const from = await this.#checkpoint(feed)
    const pageSize = this.#o.pageSize ?? 500
    let last: QueryDocumentSnapshot | undefined
    let total = 0
    while (!this.#stopped) {
      let q = feed.query(from).limit(pageSize)
      if (last) q = q.startAfter(last)
      const page = await q.get()
      if (page.empty) break
      await (await this.#applyBatch(feed, page.docs)).settled
      total += page.size
      last = page.docs.at(-1)
      if (page.size < pageSize) break
    }
    if (total > 0) this.#o.log.info({ feed: feed.key, changes: total }, 'chat sync: caught up')
  }

  /**
   * A listener from the checkpoint. Its changes are applied one batch at a time, without waiting:
   * a snapshot is applied as soon as the previous batch is written, and the snapshots that arrived
   * meanwhile are applied together as the next batch (the latest version of each document, at most
   * maxBatch), so under load the per-batch cost (commits, checkpoint, outbox) is paid once per
   * backlog, not per snapshot. A batch is announced while the next one is written to the mirror.
   */
  async #listen(feed: Feed, fail: (err: unknown) => void): Promise<{ close(): Promise<void> }> {
    let queue: Promise<void> = Promise.resolve()
    /** changes not yet applied, by document path; insertion order = arrival order */
    const pending = new Map<string, QueryDocumentSnapshot>()
    let draining = false
    let seen = 0
    let unsubscribe: () => void = () => {}
    let closed = false
    const resubscribeAfter = this.#o.resubscribeAfter ?? 5_000
    const maxBatch = this.#o.maxBatch ?? 500
    const drain = async () => {
      // the batch being announced (ledger, outbox, checkpoint) while the next one is written to the mirror
      let settling: Promise<void> = Promise.resolve()
      try {
        while (pending.size > 0 && !closed) {
          const docs: QueryDocumentSnapshot[] = []
          for (const [path, doc] of pending) {
            if (docs.length === maxBatch) break
            docs.push(doc)
            pending.delete(path)
          }
          // what stays pending must stay after the checkpoint
          let floor: Timestamp | null = null
          for (const doc of pending.values()) {
            const at = updatedAtOf(doc)
            if (at && (!floor || at.toMillis() < floor.toMillis())) floor = at
          }
          const { settled } = await this.#applyBatch(feed, docs, floor)
          // at most one batch behind: its announcing must end before another batch is written
          await settling
          settling = settled
          // a query listener keeps every matching document: start a fresh, smaller one
          if (seen >= resubscribeAfter && !closed) {
            await settling
            unsubscribe()
            subscribe(await this.#checkpoint(feed))
          }
        }
      } finally {
        await settling
      }
    }
    const subscribe = (from: Timestamp) => {
      seen = 0
      unsubscribe = (this.#o.listen ?? listenToQuery)(
        feed.key,
        feed.query(from),
        from,
        (docs) => {
          seen += docs.length
          for (const doc of docs) {
            pending.delete(doc.ref.path)
            pending.set(doc.ref.path, doc)
          }
          if (draining) return
          draining = true
          queue = queue
            .then(drain)
            .finally(() => (draining = false))
            .catch(fail)
        },
        fail,
      )
    }
    subscribe(await this.#checkpoint(feed))
    return {
      close: async () => {
        closed = true
        unsubscribe()
        await queue.catch(() => {})
      },
    }
  }

  async #checkpoint(feed: Feed): Promise<Timestamp> {
    const cp = await this.#o.mirror.getCheckpoint(`${this.#o.name}:${feed.key}`)
    return cp ? Timestamp.fromDate(cp.position) : EPOCH
  }

  /**
   * Writes the batch to the mirror (visible from then on) and resolves with the promise of the rest:
   * its announcing, after the previous batch's, then its checkpoint. So the next batch can be written
   * while this one is announced, and the checkpoint still moves only past batches done in full (and
   * never past `floor`, the earliest updatedAt of the changes still waiting).
   */
  async #applyBatch(feed: Feed, docs: QueryDocumentSnapshot[], floor: Timestamp | null = null): Promise<{ settled: Promise<void> }> {
    const after = await feed.apply(docs)
    let max: Timestamp | null = null
    for (const d of docs) {
      const at = updatedAtOf(d)
      if (at && (!max || at.toMillis() > max.toMillis())) max = at
    }
    // changes not in this batch yet (floor: the earliest) are re-read from the checkpoint after a crash
    if (max && floor && floor.toMillis() < max.toMillis()) max = floor
    const previous = this.#settling
    const settled = (async () => {
      await previous
      if (after) await after()
      // millisecond precision (Date), rounded down: re-reading from it can only repeat, never skip
      if (max) await this.#o.mirror.setCheckpoint(`${this.#o.name}:${feed.key}`, { position: new Date(max.toMillis()) })
    })()
    // the caller awaits it; this only keeps a failure before then from counting as unhandled
    settled.catch(() => {})
    // a failed batch fails every later one: the checkpoint never moves past it
    this.#settling = settled
    // wrapped: an async function returning the promise itself would wait for it
    return { settled }
  }

  async #applyRooms(docs: QueryDocumentSnapshot[]): Promise<void> {
    for (const doc of docs) {
      const room = toMirrorRoom(doc)
      if (!room) {
        this.#o.log.warn({ path: doc.ref.path }, 'chat sync: malformed room skipped')
        continue
      }
      await this.#o.mirror.upsertRoom(room)
      this.#remember(room)
    }
  }

  async #applyMessages(docs: QueryDocumentSnapshot[]): Promise<() => Promise<void>> {
    const batch: MirrorMessage[] = []
    for (const doc of docs) {
      const message = toMirrorMessage(doc)
      if (message) batch.push(message)
      else this.#o.log.warn({ path: doc.ref.path }, 'chat sync: malformed message skipped')
    }
    // rooms and messages are separate feeds: a message may arrive before its room
    const rooms = new Map<string, MirrorRoom | null>()
    for (const m of batch) if (!rooms.has(m.roomId)) rooms.set(m.roomId, await this.#room(m.roomId))
    await this.#o.mirror.upsertMessages(batch)
    const toAnnounce = batch.filter((m) => m.type === 'user' && rooms.get(m.roomId))
    return () => this.#announce(toAnnounce, rooms)
  }

  async #room(roomId: string): Promise<MirrorRoom | null> {
    const cached = this.#rooms.get(roomId)
    if (cached) return cached
    let room = await this.#o.mirror.getRoom(roomId)
    if (!room) {
      room = toMirrorRoom(await this.#o.firestore.collection(ROOMS).doc(roomId).get())
      if (!room) return null
      await this.#o.mirror.upsertRoom(room)
    }
    this.#remember(room)
    return room
  }

  #remember(room: MirrorRoom): void {
    if (this.#rooms.size >= ROOM_CACHE_MAX) this.#rooms.clear()
    this.#rooms.set(room.id, room)
  }

  /**
   * chat.message.posted through the outbox, once per message: the ledger rows commit with the
   * events, and a message already in the ledger (a replay) is not announced again.
   */
  async #announce(messages: MirrorMessage[], rooms: Map<string, MirrorRoom | null>): Promise<void> {
    if (messages.length === 0) return
    const { events } = this.#o
    await this.#repo.transaction(async (trx) => {
      const isFresh = await this.#repo.markPosted(trx, messages)
      const posted: { data: MessagePostedV1; meta: EventMeta }[] = []
      for (const m of messages) {
        if (!isFresh.has(`${m.roomId}/${m.id}`)) continue
        const room = rooms.get(m.roomId)!
        const data: MessagePostedV1 = {
          roomId: m.roomId,
          matchId: room.matchId,
          messageId: m.id,
          authorUid: m.authorUid!,
          recipientUids: room.members.filter((uid) => uid !== m.authorUid),
          length: [...m.text].length,
          postedAt: m.createdAt.toISOString(),
        }
        posted.push({ data, meta: { actor: { type: 'user', id: m.authorUid }, subject: { type: 'chat.message', id: `${m.roomId}/${m.id}` } } })
      }
      // one multi-row insert for the batch, not one round trip per message
      if (posted.length > 0) await events.publishMany(trx, ChatEvents.messagePosted, posted)
    })
    events.flushSoon()
  }
}
