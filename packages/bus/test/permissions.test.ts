// NATS users and their subject permissions (issue 20, item 2), against a private nats-server that runs
// the config `npm run nats:auth` renders: every user of @sunbae/contracts bus-access may do what the
// table says it does — declare its streams, publish its events, telemetry and dead letters, create,
// pull from and ack its own durables, follow what it follows, work the dead letters if it is an
// admin — and the server refuses the rest (each refusal is seen as the server's permission violation).
// Driven by the table, so a new event, durable or follower is covered without touching this file.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core'
import { BUS_USERS, busInboxPrefix, busUser, DOMAIN_EVENTS, STREAMS, type BusUser, type BusUserName } from '@sunbae/contracts'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { connectBus, ensureStreams, followStream, getDeadLetter, listDeadLetters, natsPermissions, redriveDeadLetters, startBatchConsumer, type Bus } from '../src/index.ts'
import { natsAuth, publicKeyOf } from '../src/nats-auth.ts'
import { quietLogger, waitFor } from './fixtures/helpers.ts'

const binary = findNatsServer()
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
/** A subject a pattern matches: `*` → one token, `>` → two. */
const concrete = (pattern: string) => pattern.replace(/\*/g, 'x').replace(/>$/, 'x.y')
/** Whether a NATS subject pattern (`*`, trailing `>`) matches a subject. */
const matches = (pattern: string, subject: string) => {
  const p = pattern.split('.')
  const s = subject.split('.')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false
  }
  return p.length === s.length
}
const anyMatches = (patterns: readonly string[], subject: string) => patterns.some((p) => matches(p, subject))
/** The first contract event a filter takes, else a subject it matches. */
const eventUnder = (filter: string) =>
  DOMAIN_EVENTS.map((e) => e.type).find((type) => filter === type || (filter.endsWith('.>') && type.startsWith(filter.slice(0, -1)))) ?? concrete(filter)

t.test('the permission table, rendered', async (t) => {
  const payment = natsPermissions(busUser('payment'))
  t.ok(anyMatches(payment.publish.allow, 'payment.succeeded'), 'payment publishes its own events')
  t.notOk(anyMatches(payment.publish.allow, 'catalog.user.role_changed'), 'and no catalog event')
  t.notOk(payment.publish.allow.includes('$JS.API.STREAM.UPDATE.MEETING'), "it may not change meeting's stream")
  t.same(payment.subscribe.allow, ['_INBOX_payment.>'], 'it subscribes to its own replies only')
  const gateway = natsPermissions(busUser('gateway'))
  t.notOk(DOMAIN_EVENTS.some((e) => anyMatches(gateway.publish.allow, e.type)), 'the gateway publishes no domain event')
  t.notOk([...gateway.publish.allow, ...payment.publish.allow].some((s) => s === '>' || s === '$JS.API.>' || s === '$JS.ACK.>'), 'no blanket JetStream grant')
  for (const { type } of DOMAIN_EVENTS) {
    const publishers = BUS_USERS.filter((o) => anyMatches(busUser(o).publishes, type))
    t.equal(publishers.length, 1, `${type}: one publisher (${publishers.join(', ')})`)
  }
  const tracking = busUser('tracking', { trackingDurablePrefix: 'blue' })
  t.ok(tracking.durables.every((d) => d.durable.startsWith('blue_')), "tracking's durables follow TRACKING_DURABLE_PREFIX")
})

t.test('each user does its JetStream work under its own nkey; the server refuses everything else', { skip: binary ? false : 'no nats-server binary here' }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nats-permissions-'))
  const auth = natsAuth(path.join(dir, 'auth'))
  t.equal(publicKeyOf(auth.seeds.payment), auth.publicKeys.payment, 'seeds on disk, public keys in the config')
  t.notOk(Object.values(auth.seeds).some((seed) => auth.config.includes(seed)), 'the server config holds no seed')
  const nats = await startPrivateNats(binary!, path.join(dir, 'store'), { config: auth.configPath })
  t.teardown(() => nats.kill())

  const violations = new Map<NatsConnection, PermissionViolationError[]>()
  const buses = new Map<BusUserName, Bus>()
  const as = async (name: BusUserName): Promise<Bus> => {
    const bus = await connectBus({ servers: nats.url, name, logger: quietLogger, nkeySeed: auth.seeds[name], inboxPrefix: busInboxPrefix(name) })
    const seen: PermissionViolationError[] = []
    violations.set(bus.nc, seen)
    void (async () => {
      for await (const s of bus.nc.status()) if (s.type === 'error' && s.error instanceof PermissionViolationError) seen.push(s.error)
    })()
    buses.set(name, bus)
    t.teardown(() => bus.close())
    return bus
  }
  const users = Object.fromEntries(BUS_USERS.map((name) => [name, busUser(name)])) as Record<BusUserName, BusUser>
  for (const name of BUS_USERS) await as(name)
  const bus = (name: BusUserName) => buses.get(name)!

  /** The server refused `subject` to this connection (its -ERR arrived); `op` must reject too. */
  const refused = async (name: BusUserName, operation: 'publish' | 'subscription', subject: string, op: () => Promise<unknown>) => {
    const nc = bus(name).nc
    await t.rejects(op(), `${name} may not ${operation === 'publish' ? 'publish to' : 'subscribe to'} ${subject}`)
    await waitFor(() => violations.get(nc)!.some((v) => v.operation === operation && v.subject === subject), { what: `the server's permission violation for ${subject}`, timeoutMs: 10_000 })
  }

  await t.test('no credentials, no connection', async (t) => {
    await t.rejects(connectBus({ servers: nats.url, name: 'anonymous', logger: quietLogger }), /authorization|auth/i)
  })

  await t.test('every user declares the streams it uses; only owners change settings', async (t) => {
    for (const name of BUS_USERS) {
      const u = users[name]
      const results = await ensureStreams(bus(name).jsm, u.streams, { owned: u.owns.map((s) => s.name) })
      t.same(results.map((r) => r.name), u.streams.map((s) => s.name), `${name}: ${u.streams.map((s) => s.name).join(', ')}`)
    }
    // a stream whose settings differ: the owner updates it, a user that does not own it leaves it
    await bus('mentor-catalog').jsm.streams.update(STREAMS.catalog.name, { max_age: 1_000_000_000 * 3600 })
    const [left] = await ensureStreams(bus('notification').jsm, [STREAMS.catalog], { owned: [] })
    t.equal(left!.action, 'outdated', 'notification leaves CATALOG as it finds it')
    const [fixed] = await ensureStreams(bus('mentor-catalog').jsm, [STREAMS.catalog], { owned: ['CATALOG'] })
    t.equal(fixed!.action, 'updated', 'mentor-catalog, its owner, restores the contract')
  })

  await t.test("every user publishes its events, telemetry and its durables' dead letters", async (t) => {
    for (const name of BUS_USERS) {
      const u = users[name]
      const events = [...new Set(DOMAIN_EVENTS.map((e) => e.type))].filter((type) => anyMatches(u.publishes, type))
      for (const subject of [...events, ...u.telemetry]) {
        const ack = await bus(name).js.publish(subject, encode({ id: randomUUID(), type: subject }), { timeout: 5_000 })
        t.ok(ack.seq > 0, `${name} → ${subject} (${ack.stream})`)
      }
      for (const d of u.durables) {
        const original = eventUnder(d.filterSubject)
        const ack = await bus(name).js.publish(`dlq.${d.durable}.${original}`, encode({ event: { id: randomUUID(), type: original }, consumer: d.durable }), { timeout: 5_000 })
        t.ok(ack.seq > 0, `${name} dead-letters for ${d.durable}`)
      }
    }
  })

  await t.test('every durable is created, pulled from and acknowledged by its own user', async (t) => {
    for (const name of BUS_USERS) {
      for (const d of users[name].durables) {
        const got: string[] = []
        const consumer = await startBatchConsumer<string>({
          bus: bus(name),
          stream: d.stream,
          durable: d.durable,
          filterSubject: d.filterSubject,
          logger: quietLogger,
          decode: (msg) => msg.subject,
          handle: async (items) => void got.push(...items.map((i) => i.value)),
        })
        // acked: nothing left pending, and the ack floor moved (an ack the server refused leaves both)
        const info = await waitFor(
          async () => {
            const i = await bus(name).jsm.consumers.info(d.stream.name, d.durable)
            return got.length > 0 && i.num_ack_pending === 0 && i.ack_floor.stream_seq > 0 ? i : null
          },
          { what: `${d.durable} to consume and ack`, timeoutMs: 15_000 },
        )
        await consumer.stop()
        t.ok(info.ack_floor.stream_seq > 0, `${name}: ${d.durable} on ${d.stream.name} (${d.filterSubject}): ${got.length} consumed and acked`)
      }
    }
  })

  await t.test('every follower reads its stream with an ordered consumer', async (t) => {
    for (const name of BUS_USERS) {
      for (const f of users[name].follows) {
        const seen: string[] = []
        const follower = await followStream({ bus: bus(name), stream: f.stream.name, filterSubject: f.filterSubject, logger: quietLogger, handler: (_e, m) => void seen.push(m.subject) })
        await waitFor(() => seen.length > 0, { what: `${name} following ${f.filterSubject}`, timeoutMs: 15_000 })
        await follower.stop()
        // where a replay ends: the last message on the filter
        const last = await bus(name).jsm.streams.getMessage(f.stream.name, { last_by_subj: f.filterSubject })
        t.ok(last && last.seq > 0, `${name} reads the last ${f.filterSubject} of ${f.stream.name}`)
        t.pass(`${name} follows ${f.stream.name} (${f.filterSubject})`)
      }
    }
  })

  await t.test('the dead-letter admins list, show and redrive', async (t) => {
    const bookings = users.payment.durables[0]!
    for (const name of BUS_USERS.filter((n) => users[n].deadLetterAdmin)) {
      // payment gives up on one more event
      const original = eventUnder(bookings.filterSubject)
      await bus('payment').js.publish(`dlq.${bookings.durable}.${original}`, encode({ event: { id: randomUUID(), type: original }, consumer: bookings.durable }), { timeout: 5_000 })
      const list = await listDeadLetters(bus(name), { durable: bookings.durable })
      const last = list.items.at(-1)!
      t.ok(list.total > 0 && last.redrivable, `${name} lists payment's dead letters`)
      t.equal((await getDeadLetter(bus(name), last.seq))?.eventType, original, `${name} shows one`)
      const result = await redriveDeadLetters(bus(name), { seqs: [last.seq] })
      t.same(result.redriven, [last.seq], `${name} redrives it (published again on ${last.originalSubject}, removed from DEADLETTER)`)
    }
    await refused('payment', 'publish', '$JS.API.STREAM.MSG.DELETE.DEADLETTER', () => bus('payment').jsm.streams.deleteMessage('DEADLETTER', 1))
  })

  await t.test('the server refuses what a user does not own', async (t) => {
    // the two cases
    await refused('payment', 'publish', 'catalog.user.role_changed', () => bus('payment').js.publish('catalog.user.role_changed', encode({}), { timeout: 5_000 }))
    await refused('gateway', 'publish', 'payment.succeeded', () => bus('gateway').js.publish('payment.succeeded', encode({}), { timeout: 5_000 }))
    // every user, one event of every stream it does not publish to (the dead-letter admins may redrive any)
    for (const name of BUS_USERS) {
      const u = users[name]
      for (const stream of [STREAMS.catalog, STREAMS.matching, STREAMS.meeting, STREAMS.payment, STREAMS.chat]) {
        const type = eventUnder(stream.subjects[0]!)
        if (anyMatches([...u.publishes, ...u.redrives], type)) continue
        await refused(name, 'publish', type, () => bus(name).js.publish(type, encode({}), { timeout: 5_000 }))
      }
    }
    t.equal((await bus('mentor-catalog').jsm.streams.info('CATALOG', { subjects_filter: 'catalog.user.role_changed' })).state.subjects?.['catalog.user.role_changed'], 1, 'only the one from mentor-catalog reached the stream')

    // another service's durable: neither created, pulled from nor acked
    const bookings = users.payment.durables[0]!
    await refused('notification', 'publish', `$JS.ACK.${bookings.stream.name}.${bookings.durable}.1.1.1.1.1.1.1`, async () => {
      bus('notification').nc.publish(`$JS.ACK.${bookings.stream.name}.${bookings.durable}.1.1.1.1.1.1.1`, encode('+ACK'))
      await bus('notification').nc.flush()
      await waitFor(() => violations.get(bus('notification').nc)!.length > 0, { timeoutMs: 10_000 })
      throw new Error('refused')
    })
    await refused('meeting', 'publish', `$JS.API.CONSUMER.INFO.${bookings.stream.name}.${bookings.durable}`, () => bus('meeting').jsm.consumers.info(bookings.stream.name, bookings.durable))
    // streams: nobody but the owner changes one, nobody deletes or purges one
    await refused('matching', 'publish', '$JS.API.STREAM.UPDATE.CATALOG', () => bus('matching').jsm.streams.update('CATALOG', { max_age: 0 }))
    await refused('tracking', 'publish', '$JS.API.STREAM.DELETE.PAYMENT', () => bus('tracking').jsm.streams.delete('PAYMENT'))
    await refused('mentor-catalog', 'publish', '$JS.API.STREAM.PURGE.CATALOG', () => bus('mentor-catalog').jsm.streams.purge('CATALOG'))
    // replies: one user cannot read another's (pull deliveries arrive there)
    await refused('gateway', 'subscription', '_INBOX_payment.>', async () => {
      const sub = bus('gateway').nc.subscribe('_INBOX_payment.>')
      await bus('gateway').nc.flush()
      await waitFor(() => violations.get(bus('gateway').nc)!.some((v) => v.subject === '_INBOX_payment.>'), { timeoutMs: 10_000 })
      sub.unsubscribe()
      throw new Error('refused')
    })
  })
})
