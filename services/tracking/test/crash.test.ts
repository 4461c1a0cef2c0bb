// Reliability: N events published, the tracking process killed with SIGKILL in the middle of
// ingesting them, restarted: exactly N rows. Nothing acked before its commit is lost; nothing
// redelivered after a commit is stored twice.
import t from 'tap'
import { sql } from 'kysely'
import { createDb } from '@sunbae/db'
import { ensureStreams } from '@sunbae/bus'
import { STREAMS, TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { accessEvent, deleteDurables, publishCore, serviceUrl, testBus, testEnv, uniq } from './helpers.ts'
import { freePort, startProcess, stopProcess, waitReady, type Proc } from '@sunbae/testing/processes'

const N = 40_000

t.test(`kill -9 mid-ingest, restart: exactly ${N} stored`, async (t) => {
  const bus = await testBus('tracking-crash-test')
  const database = createDb({ connectionString: serviceUrl, schema: 'tracking', service: 'tracking-crash-test', slowQueryMs: 60_000 })
  const prefix = `crash_${uniq()}`
  const user = `crash-${uniq()}`
  let proc: Proc | undefined
  t.teardown(async () => {
    if (proc) await stopProcess(proc)
    await deleteDurables(bus, prefix)
    await bus.close()
    await database.close()
  })
  const count = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from access_log where user_id = ${user}`.execute(database.db)).rows[0]!.n)

  // the backlog first, so the process has work when it starts — into the stream, which the test
  // declares itself: a core publish to a subject no stream holds yet is simply dropped
  await ensureStreams(bus.jsm, [STREAMS.telemetry, STREAMS.deadLetter])
  const base = Date.now() - 60_000
  for (let i = 0; i < N; i += 5_000) {
    await publishCore(
      bus,
      TELEMETRY_SUBJECTS.accessLog,
      Array.from({ length: 5_000 }, (_, j) => accessEvent({ user, requestId: `crash-${i + j}`, requestedAt: new Date(base + i + j).toISOString() })),
    )
  }

  const start = async () => {
    const port = await freePort()
    const p = startProcess('tracking', 'services/tracking', {
      ...testEnv({
        TRACKING_DURABLE_PREFIX: prefix,
        // small batches, one at a time: the kill lands between commits, with batches in flight
        TRACKING_BATCH_SIZE: '250',
        TRACKING_BATCH_CONCURRENCY: '1',
        TRACKING_ACK_WAIT_MS: '2000',
        LOG_LEVEL: 'warn',
      }),
      PORT: String(port),
    })
    await waitReady(`http://127.0.0.1:${port}/readyz`, p)
    return p
  }

  proc = await start()
  const before = await waitFor(async () => {
    const n = await count()
    return n > 0 ? n : null
  }, 30_000, 5).catch(async (err: unknown) => {
    const info = await bus.jsm.consumers.info(STREAMS.telemetry.name, `${prefix}_access`).catch((e: unknown) => e)
    t.comment(`no row stored; consumer: ${JSON.stringify(info)}; tracking's output:\n${proc?.output().slice(-4_000)}`)
    throw err
  })
  const pending = await bus.jsm.consumers.info(STREAMS.telemetry.name, `${prefix}_access`)
  proc.child.kill('SIGKILL')
  const { signal } = await proc.exited
  t.equal(signal, 'SIGKILL', 'killed hard')
  const atKill = await count()
  t.ok(atKill < N, `killed mid-ingest: ${atKill} of ${N} stored (first seen ${before})`)
  t.ok(pending.num_ack_pending > 0, `messages were delivered and not yet acked (${pending.num_ack_pending})`)

  proc = await start()
  await waitFor(async () => (await count()) >= N, 120_000, 100)
  // past the ack wait: any redelivery of a batch that committed before the kill has come and gone
  await waitFor(async () => {
    const info = await bus.jsm.consumers.info(STREAMS.telemetry.name, `${prefix}_access`)
    return info.num_pending === 0 && info.num_ack_pending === 0
  }, 30_000).catch(async (err: unknown) => {
    const info = await bus.jsm.consumers.info(STREAMS.telemetry.name, `${prefix}_access`)
    t.comment(`consumer: pending ${info.num_pending}, ack pending ${info.num_ack_pending}, redelivered ${info.num_redelivered}; tracking's output:\n${proc?.output().slice(-4_000)}`)
    throw err
  })
  await new Promise((r) => setTimeout(r, 2_500))
  t.equal(await count(), N, `exactly ${N} rows`)
  const dupes = await sql<{ n: string }>`select count(*) as n from (select request_id from access_log where user_id = ${user} group by request_id having count(*) > 1) d`.execute(database.db)
  t.equal(Number(dupes.rows[0]!.n), 0, 'no request stored twice')
})
