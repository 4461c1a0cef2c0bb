// The outbox relay after a NATS outage: it backed off while NATS was away (publishes failing) and
// sat out the rest of its back-off after NATS returned — the fault suite (bench/faults, "NATS stopped
// for 60 s") measured events arriving up to 39 s after NATS was back. The bus now tells its reconnect
// and the relay resumes at once (service-kit's platform wires bus.onReconnect → relay.resume).
import t from 'tap'
import { findNatsServer, restartableNats } from '@sunbae/testing/nats-server'
import { connectBus, createEvent, ensureStreams, OutboxRelay, publishInTx, type BusLogger } from '../src/index.ts'
import { createTestSchema, quietLogger, streamDef, streamMessages, uniq, waitFor } from './fixtures/helpers.ts'

const binary = findNatsServer()
if (!binary) {
  t.pass('skipped: nats-server not installed')
} else {
  const nats = await restartableNats(binary, 'bus-resume')

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

    await nats.start()
    await waitFor(() => reconnects > 0, { what: 'the bus reconnecting' })
    const msgs = await waitFor(async () => {
      const m = (await streamMessages(bus.jsm, STREAM)).filter((x) => x.data.id === event.id)
      return m.length ? m : null
    }, { what: 'the event published after the reconnect' })
    t.equal(msgs.length, 1, 'published once')
  })

  t.test('a resume that comes while the failing batch is still in flight ends the back-off all the same', async (t) => {
    const schema = await createTestSchema()
    t.teardown(() => schema.drop())
    // a JetStream stand-in whose first publish fails only after the relay was told to resume (the
    // reconnect arrived while that publish was in flight); every later publish is acked
    let calls = 0
    let relay: OutboxRelay | null = null
    const js = {
      publish: async () => {
        calls++
        if (calls === 1) {
          relay!.resume()
          throw Object.assign(new Error('TIMEOUT'), { code: 'TIMEOUT' })
        }
        return { stream: 'S', seq: calls, duplicate: false }
      },
    }
    relay = new OutboxRelay({ db: schema.db, js: js as never, logger: quietLogger, pollIntervalMs: 60_000, maxBackoffMs: 600_000 })
    const event = createEvent({ type: `${uniq()}.thing.happened`, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { n: 2 } })
    await schema.db.transaction().execute((trx) => publishInTx(trx, event))
    relay.start()
    t.teardown(() => relay!.stop())
    // before the fix the back-off (2 min here) swallowed that resume
    await waitFor(() => calls >= 2, { what: 'the publish tried again right after the resume', timeoutMs: 10_000 })
    t.pass(`published again after ${calls - 1} failure(s), without sitting out the back-off`)
  })

  t.test('stop() while a batch is in flight returns when that batch ends, not a poll interval later', async (t) => {
    const schema = await createTestSchema()
    t.teardown(() => schema.drop())
    // a JetStream stand-in whose publish waits until the test lets it go; the relay polls once an hour
    let release: () => void = () => {}
    const released = new Promise<void>((r) => (release = r))
    let calls = 0
    const js = {
      publish: async () => {
        calls++
        await released
        return { stream: 'S', seq: calls, duplicate: false }
      },
    }
    const relay = new OutboxRelay({ db: schema.db, js: js as never, logger: quietLogger, pollIntervalMs: 3_600_000 })
    const event = createEvent({ type: `${uniq()}.thing.happened`, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { n: 3 } })
    await schema.db.transaction().execute((trx) => publishInTx(trx, event))
    relay.start()
    await waitFor(() => calls >= 1, { what: 'the publish in flight' })
    // ci1 on 1fd1d44: the first test's teardown stopped the relay while its last batch was still
    // marking its row published, and stop() waited out the minute's poll interval (65 s for a 5 s test)
    let stopped = false
    const stopping = relay.stop().then(() => (stopped = true))
    release()
    await waitFor(() => stopped, { what: 'stop() to return (it waited a whole hour before the fix)', timeoutMs: 20_000 })
    await stopping
    t.equal(calls, 1, 'published once')
  })
}
