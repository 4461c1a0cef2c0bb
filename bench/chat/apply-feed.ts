// chat-bridge for `bench:chat --feed apply`: the service as production builds it (config from the
// environment, Postgres mirror, outbox to NATS, the chat API listening), with its Firestore → mirror
// sync (FirestoreSync, the real class: leader lock, catch-up, merge of snapshots into batches, apply,
// checkpoints, chat.message.posted ledger and outbox) started here instead of by the app plugin, so
// that its messages feed can be given more than the Firestore emulator can deliver (≈ 50 msg/s here).
//
// What is fed how: the rooms feed is the real Firestore listener on the bench's emulator. The
// messages feed is delivered in-process: each tick, the messages due by then (open loop, `rate`
// msg/s spread round-robin over the rooms) are built as Firestore `Document` protos — the shape the
// listen stream carries — turned into QueryDocumentSnapshot by the Admin SDK (`Firestore.snapshot_`,
// the entry Cloud Functions uses for trigger payloads) and handed to the sync as one snapshot's
// changes. Re-subscribing from a checkpoint first delivers every fed document with updatedAt ≥ it,
// as a query listener's first snapshot does. A message's createdAt = updatedAt = its scheduled time,
// so any delay of this process in delivering it counts as lag.
//
// Driven over IPC by bench/chat/run.ts: { round, prefix, startAt, rate, seconds, rooms } → { done, fed }.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Timestamp, type QueryDocumentSnapshot } from 'firebase-admin/firestore'
import { buildService, configOrExit } from '@sunbae/service-kit'
import type * as ChatBridgeService from '../../services/chat-bridge/src/service.ts'
import type * as ChatBridgeSync from '../../services/chat-bridge/src/sync/firestore-sync.ts'

// BENCH_CHAT_BRIDGE_DIR: another copy of the service (an A/B against an earlier version of the sync)
const serviceDir = process.env.BENCH_CHAT_BRIDGE_DIR ? pathToFileURL(`${resolve(process.env.BENCH_CHAT_BRIDGE_DIR)}/`) : new URL('../../services/chat-bridge/', import.meta.url)
const { definition } = (await import(new URL('src/service.ts', serviceDir).href)) as typeof ChatBridgeService
const { FirestoreSync, listenToQuery } = (await import(new URL('src/sync/firestore-sync.ts', serviceDir).href)) as typeof ChatBridgeSync

interface Round {
  round: number
  /** message i of the round gets the id prefix + i (8 digits) */
  prefix: string
  /** epoch ms of message 0 */
  startAt: number
  rate: number
  seconds: number
  /** room id → its two members */
  rooms: [string, [string, string]][]
}

const send = (m: unknown) => process.send!(m)
const config = configOrExit(definition)
const app = await buildService(definition, config)

type Snapshotter = { snapshot_(doc: unknown, readTime: unknown, encoding: 'protobufJS'): QueryDocumentSnapshot }
const documents = `projects/${config.FIREBASE_PROJECT_ID}/databases/(default)/documents`
const proto = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) })

/** every fed document in updatedAt order (a resubscribing listener's first snapshot reads from it) */
const fed: { ms: number; doc: QueryDocumentSnapshot }[] = []
const listeners = new Set<(docs: QueryDocumentSnapshot[]) => void>()

const sync = new FirestoreSync({
  firestore: app.firestore,
  mirror: app.chatMirror,
  db: app.db as never,
  events: app.events,
  log: app.log.child({ component: 'chat-sync' }),
  name: config.CHAT_SYNC_NAME,
  leaseCheckMs: config.CHAT_SYNC_LEASE_CHECK_MS,
  listen: (feed, query, from, onChanges, onError) => {
    if (feed !== 'messages') return listenToQuery(feed, query, from, onChanges, onError)
    let live = true
    const deliver = (docs: QueryDocumentSnapshot[]) => live && onChanges(docs)
    // a listener's first snapshot arrives asynchronously, as Firestore's does; read and attach at
    // once, so no fed document falls between the two
    setImmediate(() => {
      if (!live) return
      const fromMs = from.toMillis()
      let lo = 0
      let hi = fed.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (fed[mid]!.ms < fromMs) lo = mid + 1
        else hi = mid
      }
      if (lo < fed.length) deliver(fed.slice(lo).map((f) => f.doc))
      listeners.add(deliver)
    })
    return () => {
      live = false
      listeners.delete(deliver)
    }
  },
})
app.addHook('onReady', async () => sync.start())
app.addHook('onClose', async () => sync.stop())
await app.listen({ host: config.HOST, port: config.PORT })

const fs = app.firestore as unknown as Snapshotter
function feedRound(r: Round): void {
  const total = Math.round(r.rate * r.seconds)
  const step = 1000 / r.rate
  let next = 0
  const tick = () => {
    const due = Math.min(total, Math.floor((Date.now() - r.startAt) / step) + 1)
    if (due > next) {
      const docs: QueryDocumentSnapshot[] = []
      for (; next < due; next++) {
        const [roomId, members] = r.rooms[next % r.rooms.length]!
        const ms = r.startAt + next * step
        const at = { timestampValue: proto(ms) }
        const id = `${r.prefix}${String(next).padStart(8, '0')}`
        const doc = fs.snapshot_(
          {
            name: `${documents}/rooms/${roomId}/messages/${id}`,
            fields: {
              authorUid: { stringValue: members[Math.floor(next / r.rooms.length) % 2]! },
              text: { stringValue: `bench ${r.round}/${next} 안녕하세요` },
              type: { stringValue: 'user' },
              createdAt: at,
              updatedAt: at,
            },
            createTime: proto(ms),
            updateTime: proto(ms),
          },
          proto(ms),
          'protobufJS',
        )
        fed.push({ ms: Math.floor(ms), doc })
        docs.push(doc)
      }
      for (const l of listeners) l(docs)
    }
    if (next < total) setTimeout(tick, 1)
    else send({ done: r.round, fed: total })
  }
  setTimeout(tick, Math.max(0, r.startAt - Date.now()))
}

process.on('message', (m: Round) => feedRound(m))
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0))
})
// sanity: the Timestamp class the sync checks against is the one snapshots decode into
if (!(fs.snapshot_({ name: `${documents}/rooms/x/messages/y`, fields: { t: { timestampValue: proto(0) } }, createTime: proto(0), updateTime: proto(0) }, proto(0), 'protobufJS').get('t') instanceof Timestamp)) {
  throw new Error('snapshot_ did not decode a Timestamp')
}
send({ ready: true })
