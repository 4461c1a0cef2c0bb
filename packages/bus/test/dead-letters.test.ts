// The dead letters as an operator works them: list (filtered by consumer and original subject), show,
// redrive (published again on the original subject; the consumer that gave up handles it, the message
// leaves DEADLETTER), and the `npm run dlq` command. Against a private NATS: DEADLETTER's `dlq.>`
// subjects are the real ones.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { STREAMS } from '@sunbae/contracts'
import { findNatsServer, startPrivateNats } from '@sunbae/testing/nats-server'
import { connectBus, createEvent, ensureStreams, getDeadLetter, listDeadLetters, redriveDeadLetters, startConsumer, UnprocessableEvent } from '../src/index.ts'
import { createTestSchema, quietLogger, streamDef, waitFor } from './fixtures/helpers.ts'

const binary = findNatsServer()
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

t.test('list, show and redrive dead letters; the CLI does the same', { skip: binary ? false : 'no nats-server binary here' }, async (t) => {
  const nats = await startPrivateNats(binary!, mkdtempSync(path.join(tmpdir(), 'dlq-test-nats-')))
  t.teardown(() => nats.kill())
  const bus = await connectBus({ servers: nats.url, name: 'dlq-test', logger: quietLogger })
  t.teardown(() => bus.close())
  await ensureStreams(bus.jsm, [STREAMS.deadLetter, streamDef('ORDERS', ['orders.>'])])
  const schema = await createTestSchema('create table effects (event_id uuid primary key);')
  t.teardown(() => schema.drop())

  let refusing = true
  const consumer = await startConsumer({
    bus,
    db: schema.db,
    stream: 'ORDERS',
    durable: 'orders_fulfilment',
    filterSubject: 'orders.>',
    logger: quietLogger,
    handler: async (e, { trx }) => {
      if (refusing) throw new UnprocessableEvent(`cannot fulfil ${e.type} yet`)
      await trx.insertInto('effects').values({ event_id: e.id }).execute()
    },
  })
  t.teardown(() => consumer.stop())
  const mk = (type: string) => createEvent({ type, version: 1, source: 'dlq-test', actor: { type: 'system', id: null }, data: {} })
  const created = mk('orders.created')
  const paid = mk('orders.paid')
  for (const e of [created, paid]) await bus.js.publish(e.type, JSON.stringify(e), { msgID: e.id })

  const all = await waitFor(async () => {
    const page = await listDeadLetters(bus)
    return page.total === 2 ? page : null
  }, { what: 'two dead letters' })
  t.match(all.items, [
    { consumer: 'orders_fulfilment', originalSubject: 'orders.created', eventId: created.id, eventType: 'orders.created', redrivable: true, error: { name: 'UnprocessableEvent', message: 'cannot fulfil orders.created yet' } },
    { consumer: 'orders_fulfilment', originalSubject: 'orders.paid', eventId: paid.id },
  ])
  const onlyPaid = await listDeadLetters(bus, { subject: 'orders.paid' })
  t.same([onlyPaid.total, onlyPaid.items.map((d) => d.eventId)], [1, [paid.id]], 'filtered by the original subject')
  t.equal((await listDeadLetters(bus, { durable: 'someone_else' })).total, 0, 'filtered by consumer')
  const page = await listDeadLetters(bus, { limit: 1 })
  t.same([page.items.length, page.nextSeq], [1, all.items[0]!.seq], 'paged')
  await t.rejects(listDeadLetters(bus, { subject: 'orders created' }), RangeError, 'a malformed subject is refused before any request')
  const shown = await getDeadLetter(bus, all.items[0]!.seq)
  t.match(shown?.body, { event: { id: created.id }, consumer: 'orders_fulfilment', deliveries: 1 })
  t.equal(await getDeadLetter(bus, 999_999), null)

  // the cause is fixed: redrive one by sequence, the rest by consumer
  refusing = false
  t.same(await redriveDeadLetters(bus, { seqs: [all.items[0]!.seq, 999_999] }), { redriven: [all.items[0]!.seq], skipped: [{ seq: 999_999, reason: 'no such dead letter' }] })
  await waitFor(async () => (await schema.db.selectFrom('effects').selectAll().where('event_id', '=', created.id).execute()).length === 1, { what: 'the redriven event handled' })
  t.equal((await listDeadLetters(bus)).total, 1, 'it left DEADLETTER')

  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'scripts/dlq.ts'), ...args], { env: { ...process.env, NATS_URL: nats.url }, encoding: 'utf8' })
  const listed = cli('list', '--json')
  t.equal(listed.status, 0, listed.stderr)
  t.same(JSON.parse(listed.stdout).items.map((d: { eventId: string }) => d.eventId), [paid.id])
  t.match(cli('list').stdout, /^1 dead letter\(s\)\n.*orders_fulfilment {2}orders\.paid/m)
  t.equal(cli('list', '--limit', 'x').status, 2, 'a bad option: exit 2 with the usage')
  t.equal(cli('frobnicate').status, 2)
  t.equal(cli('redrive').status, 2, 'redrive needs a target')
  const redriven = cli('redrive', '--durable', 'orders_fulfilment')
  t.equal(redriven.status, 0, redriven.stderr)
  t.match(redriven.stdout, /^redriven: \d+/)
  await waitFor(async () => (await schema.db.selectFrom('effects').selectAll().where('event_id', '=', paid.id).execute()).length === 1, { what: 'the CLI-redriven event handled' })
  t.equal((await listDeadLetters(bus)).total, 0)
})
