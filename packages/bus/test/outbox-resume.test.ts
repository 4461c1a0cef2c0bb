// The outbox relay after a NATS outage: it backed off while NATS was away (publishes failing) and
// sat out the rest of its back-off after NATS returned — the fault suite (bench/faults, "NATS stopped
// for 60 s") measured events arriving up to 39 s after NATS was back. The bus now tells its reconnect
// and the relay resumes at once (service-kit's platform wires bus.onReconnect → relay.resume).
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'
import { connectBus, createEvent, ensureStreams, OutboxRelay, publishInTx, type BusLogger } from '../src/index.ts'
import { createTestSchema, quietLogger, streamDef, streamMessages, uniq, waitFor } from './fixtures/helpers.ts'

const binary = findNatsServer()
if (!binary) {
  t.pass('skipped: nats-server not installed')
} else {
  const parent = mkdtempSync(path.join(tmpdir(), 'bus-resume-'))
  const dir = path.join(parent, 'store')
  let nats: PrivateNats = await startPrivateNats(binary, dir, { keepStore: true })
  const port = nats.port
  process.once('exit', () => {
    nats.kill()
    rmSync(parent, { recursive: true, force: true })
  })

  t.test('a relay backing off while NATS was away publishes as soon as the bus reconnects', async (t) => {
    const p = uniq()
    const STREAM = `${p.toUpperCase()}_RESUME`
    const bus = await connectBus({ servers: nats.url, name: 'outbox-resume-test', logger: quietLogger, reconnectTimeWaitMs: 100 })
    t.teardown(() => bus.close())
    await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.>`])])
    const schema = await createTestSchema()
    t.teardown(() => schema.drop())
    let publishFailures = 0
    const logger: BusLogger = {
      ...quietLogger,
      warn: (o, m) => {
        if (m === 'outbox publish failed') publishFailures++
        quietLogger.warn(o, m)
      },
    }
    // a poll interval of a minute: the first failure alone backs it off for two, far past this test's waits
    const relay = new OutboxRelay({ db: schema.db, js: bus.js, logger, pollIntervalMs: 60_000, maxBackoffMs: 600_000 })
    let reconnects = 0
    bus.onReconnect(() => {
      reconnects++
      relay.resume()
    })

    await nats.stop()
    const event = createEvent({ type: `${p}.thing.happened`, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { n: 1 } })
    await schema.db.transaction().execute((trx) => publishInTx(trx, event))
    relay.start()
    t.teardown(() => relay.stop())
    await waitFor(() => publishFailures > 0, { what: 'a publish failing while NATS is away' })

    nats = await startPrivateNats(binary, dir, { keepStore: true, port })
    await waitFor(() => reconnects > 0, { what: 'the bus reconnecting' })
    const msgs = await waitFor(async () => {
      const m = (await streamMessages(bus.jsm, STREAM)).filter((x) => x.data.id === event.id)
      return m.length ? m : null
    }, { what: 'the event published after the reconnect' })
    t.equal(msgs.length, 1, 'published once')
  })
}
