// The periodic-job helper with real timers and small intervals. Every assertion is on counts and
// order (what ran, how many times, what happened before what), never on how long something took.
import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { PeriodicJob, periodicJob, type PassContext } from '../src/index.ts'

/** A promise with its resolver outside, to hold a pass open until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

/** A real pino logger (Fastify's) whose lines the test can read. */
function recordingLogger(): { log: FastifyBaseLogger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      done()
    },
  })
  const app = Fastify({ logger: { level: 'info', stream } })
  return { log: app.log, lines }
}

const quiet = () => recordingLogger().log

/** The job's timers are unref'd (they never hold a process open): hold this test's open while it waits on them. */
function keepAlive(t: Test): void {
  const handle = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(handle))
}

t.test('run() while a pass runs shares that run and passes once more after it; passes never overlap', async (t) => {
  let active = 0
  let maxActive = 0
  let passes = 0
  const first = gate()
  const job = new PeriodicJob<number>({
    name: 'share',
    intervalMs: 60_000,
    logger: quiet(),
    merge: (a, b) => a + b,
    pass: async () => {
      active++
      maxActive = Math.max(maxActive, active)
      passes++
      if (passes === 1) await first.promise
      active--
      return 1
    },
  })
  const a = job.run()
  const b = job.run()
  const c = job.run()
  t.equal(a, b, 'the second call gets the running run')
  t.equal(a, c)
  first.open()
  t.same(await Promise.all([a, b, c]), [2, 2, 2], 'one more pass after the running one, results merged')
  t.equal(passes, 2, 'two calls during a pass ask for one more pass, not two')
  t.equal(maxActive, 1, 'never two passes at once')
  t.equal(await job.run(), 1, 'a call with nothing running is one pass of its own')
  await job.stop()
})

t.test('a full batch re-runs at once in the same run, until the job says it is done', async (t) => {
  const found = [100, 100, 37, 100]
  const job = new PeriodicJob<number>({
    name: 'batches',
    intervalMs: 60_000,
    logger: quiet(),
    pass: async () => found.shift() ?? 0,
    again: (n) => n >= 100,
    merge: (a, b) => a + b,
  })
  t.equal(await job.run(), 237, 'three passes: two full batches, then a short one')
  t.same(found, [100], 'the fourth was left for the next run')
  await job.stop()
})

t.test('on the timer: a failing pass is logged and retried at the next tick, never crashing', async (t) => {
  keepAlive(t)
  const { log, lines } = recordingLogger()
  const outcomes: string[] = []
  const recovered = gate()
  const job = new PeriodicJob<string>({
    name: 'flaky job',
    intervalMs: 10,
    jitterMs: 5,
    logger: log,
    pass: async () => {
      if (outcomes.length < 2) {
        outcomes.push('threw')
        throw new Error('database went away')
      }
      outcomes.push('ok')
      recovered.open()
      return 'ok'
    },
    report: (r, l) => l.info({ r }, 'flaky job ran'),
  })
  job.start()
  await recovered.promise
  await job.stop()
  t.same(outcomes.slice(0, 3), ['threw', 'threw', 'ok'], 'two failures, then the next tick succeeds')
  const failures = lines.filter((l) => l.msg === 'flaky job failed; will retry')
  t.equal(failures.length, 2, 'each failure logged')
  t.equal(failures[0]!.level, 50, 'as an error')
  t.ok(lines.some((l) => l.msg === 'flaky job ran'), 'the pass that worked is reported')
  await t.rejects(
    new PeriodicJob({ name: 'x', intervalMs: 10, logger: log, pass: async () => Promise.reject(new Error('boom')) }).run(),
    /boom/,
    'run() (tests) rejects with the error of its pass',
  )
})

t.test('with an app: starts when ready, close() drains the running pass and then nothing runs', async (t) => {
  keepAlive(t)
  const events: string[] = []
  const inPass = gate()
  const release = gate()
  let passes = 0
  let sawStopping = false
  const app = Fastify({ logger: false })
  const job = periodicJob<number>(app, {
    name: 'drain',
    intervalMs: 10,
    pass: async (ctx: PassContext) => {
      passes++
      events.push(`pass ${passes} start`)
      if (passes === 2) {
        inPass.open()
        await release.promise
        sawStopping = ctx.stopping
      }
      events.push(`pass ${passes} end`)
      return passes
    },
  })
  t.equal(passes, 0, 'nothing runs before the app is ready')
  await app.ready()
  await inPass.promise
  const closed = app.close().then(() => events.push('closed'))
  while (!job.stopped) await new Promise((resolve) => setImmediate(resolve))
  // close() has reached the job's stop() and waits on the pass held open; let it finish
  release.open()
  await closed
  t.ok(sawStopping, 'the running pass could see that the job is stopping')
  t.same(events, ['pass 1 start', 'pass 1 end', 'pass 2 start', 'pass 2 end', 'closed'], 'the app closed only after the running pass ended')
  // a stopped job schedules nothing more: run a few more intervals' worth of event-loop turns
  job.soon(0)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(passes, 2, 'no pass after close, not even one asked for by soon()')
})

t.test('soon() runs a pass after the delay, outside the caller', async (t) => {
  keepAlive(t)
  const ran = gate()
  let passes = 0
  const job = new PeriodicJob<void>({
    name: 'soon',
    intervalMs: 60_000,
    logger: quiet(),
    pass: async () => {
      passes++
      ran.open()
    },
  })
  job.soon(1)
  t.equal(passes, 0, 'not in the caller')
  await ran.promise
  t.equal(passes, 1)
  await job.stop()
})

t.test('an interval that is not positive is refused at construction', async (t) => {
  t.throws(() => new PeriodicJob({ name: 'bad', intervalMs: 0, logger: quiet(), pass: async () => {} }), /intervalMs must be > 0/)
})
