import t from 'tap'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { findNatsServer, restartableNats } from '@sunbae/testing/nats-server'
import { AckedPublisher, connectBus, ensureStreams, type AckedDropReason, type Bus } from '../src/index.ts'
import { quietLogger, streamDef, streamMessages, uniq, waitFor } from './fixtures/helpers.ts'

// A NATS of this file's own: the tests stop it and start it again (same port, same JetStream store),
// as an operator's NATS restart.
const binary = findNatsServer()
if (!binary) {
  t.pass('skipped: nats-server not installed')
} else {
  const nats = await restartableNats(binary, 'bus-acked')
  const restart = () => nats.start()

  const STREAM = 'ACKED_TEST'
  const p = uniq()
  const connect = (name: string): Promise<Bus> => connectBus({ servers: nats.url, name, logger: quietLogger, reconnectTimeWaitMs: 100 })
  const bus = await connect('acked-publisher-test')
  await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.>`])])
  t.teardown(() => bus.close())

  const counted = () => {
    const c = { acked: 0, dropped: {} as Partial<Record<AckedDropReason, number>> }
    return {
      c,
      onAcked: (n: number) => {
        c.acked += n
      },
      onDropped: (n: number, reason: AckedDropReason) => {
        c.dropped[reason] = (c.dropped[reason] ?? 0) + n
      },
    }
  }
  /** Nats-Msg-Id of every message stored on a subject, in order (a fresh connection: works after restarts) */
  const storedIds = async (subject: string) => {
    const reader = await connect('acked-publisher-test-reader')
    try {
      return (await streamMessages(reader.jsm, STREAM)).filter((m) => m.subject === subject).map((m) => m.headers['Nats-Msg-Id'])
    } finally {
      await reader.close()
    }
  }
  /** stops NATS and waits until the client saw the connection go */
  const stopNats = async (b: Bus) => {
    const gone = (async () => {
      for await (const s of b.nc.status()) if (s.type === 'disconnect') return
    })()
    await nats.stop()
    await gone
  }

  t.test('every message is confirmed and stored once; messages published while NATS is down wait and arrive exactly once after a restart', async (t) => {
    const subject = `${p}.access`
    const { c, onAcked, onDropped } = counted()
    const pub = new AckedPublisher(bus, { capacity: 1_000, ackTimeoutMs: 500, onAcked, onDropped })
    t.teardown(() => pub.close(1_000))

    const ids = Array.from({ length: 40 }, (_, i) => `a.${i}`)
    for (const [i, id] of ids.entries()) t.equal(pub.publish(subject, { events: [i, i] }, { msgId: id, records: 2 }), true)
    await waitFor(() => c.acked === 80, { what: '80 records confirmed' })
    t.equal(pub.size, 0, 'nothing pending')
    t.same(await storedIds(subject), ids, 'each message stored once, in order')

    await stopNats(bus)
    const later = Array.from({ length: 25 }, (_, i) => `b.${i}`)
    for (const [i, id] of later.entries()) t.equal(pub.publish(subject, { n: i }, { msgId: id }), true, 'accepted while NATS is down')
    await new Promise((r) => setTimeout(r, 1_200)) // past the ack timeout: still kept
    t.equal(pub.size, 25, 'all 25 pending')
    t.equal(c.acked, 80, 'none confirmed')
    t.same(c.dropped, {}, 'nothing dropped')

    await restart()
    await waitFor(() => c.acked === 105, { what: 'the 25 confirmed after the restart' })
    t.equal(pub.size, 0)
    t.same(await storedIds(subject), [...ids, ...later], 'every message in the stream exactly once')
    t.same(c.dropped, {}, 'still nothing dropped')
  })

  t.test('a message with nowhere to go (no stream yet) is retried, not dropped', async (t) => {
    const subject = `${p}x.search`
    const { c, onAcked, onDropped } = counted()
    const pub = new AckedPublisher(bus, { capacity: 10, ackTimeoutMs: 200, onAcked, onDropped })
    t.teardown(() => pub.close(1_000))
    t.equal(pub.publish(subject, { q: 'python' }, { msgId: `${p}.nostream` }), true)
    await new Promise((r) => setTimeout(r, 500))
    t.equal(pub.size, 1, 'still pending after a 503 and a timeout')
    const name = `${STREAM}_LATE`
    await ensureStreams(bus.jsm, [streamDef(name, [`${p}x.>`])])
    t.teardown(() => bus.jsm.streams.delete(name).catch(() => false))
    await waitFor(() => c.acked === 1, { what: 'the retry stored once the stream exists' })
    t.same(c.dropped, {})
    t.equal((await bus.jsm.streams.info(name)).state.messages, 1)
  })

  t.test('a full buffer drops and counts; close() with NATS down counts the rest as shutdown within its timeout', async (t) => {
    const subject = `${p}.full`
    const { c, onAcked, onDropped } = counted()
    const pub = new AckedPublisher(bus, { capacity: 5, ackTimeoutMs: 200, onAcked, onDropped })
    await stopNats(bus)
    t.equal(pub.publish(subject, 'x', { msgId: `${p}.f1`, records: 3 }), true)
    t.equal(pub.publish(subject, 'x', { msgId: `${p}.f2`, records: 3 }), false, 'would exceed 5 records')
    t.equal(pub.publish(subject, 'x', { msgId: `${p}.f3`, records: 2 }), true, 'fits')
    t.equal(pub.publish(subject, 'x', { msgId: `${p}.f4` }), false, 'full')
    t.equal(pub.size, 5)
    t.same(c.dropped, { buffer_full: 4 })
    const started = Date.now()
    await pub.close(400)
    const took = Date.now() - started
    t.ok(took >= 350 && took < 2_000, `close waited its timeout, no longer (${took} ms)`)
    t.same(c.dropped, { buffer_full: 4, shutdown: 5 })
    t.equal(pub.size, 0)
    t.equal(pub.publish(subject, 'x', { msgId: `${p}.f5` }), false, 'closed: refused')
    t.same(c.dropped, { buffer_full: 4, shutdown: 6 })
    t.equal(c.acked, 0)
    await restart()
  })

  t.test('a process that closes its publisher with NATS down exits by itself (no timer left behind)', async (t) => {
    const script = `
      import { AckedPublisher, connectBus } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)}
      import { startPrivateNats } from ${JSON.stringify(new URL('../../testing/src/nats-server.ts', import.meta.url).href)}
      const quiet = { debug() {}, info() {}, warn() {}, error() {} }
      const nats = await startPrivateNats(${JSON.stringify(binary)}, ${JSON.stringify(path.join(nats.workDir, 'child'))})
      process.once('exit', () => nats.kill())
      const bus = await connectBus({ servers: nats.url, name: 'child', logger: quiet, reconnectTimeWaitMs: 100 })
      let dropped = 0
      const pub = new AckedPublisher(bus, { capacity: 10, onDropped: (n) => { dropped += n } })
      const gone = (async () => { for await (const s of bus.nc.status()) if (s.type === 'disconnect') return })()
      await nats.stop()
      await gone
      pub.publish('child.x', { n: 1 }, { msgId: 'c1' })
      pub.publish('child.x', { n: 2 }, { msgId: 'c2' })
      await pub.close(300)
      await bus.close()
      process.stdout.write(String(dropped))
    `
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    t.equal(res.signal, null, 'it exited by itself (not killed by the 30 s timeout)')
    t.equal(res.status, 0, res.stderr)
    t.equal(res.stdout, '2', 'both counted dropped at shutdown')
  })
}
