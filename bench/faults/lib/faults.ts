// The faults and the row each one gives: journeys are started, the fault is injected once they are
// mid-flow (a step most of them have reached, waited for with a bounded poll), the journeys finish
// (retrying what failed, as clients do), and the effects are checked against the services' state until
// they are all there exactly once (or the bound runs out: then what is missing or doubled is the row's
// lost / duplicated). Time to recover: from the end of the fault (NATS or Postgres back, the killed or
// stopped process started again) until every journey finished and every effect was there.
import { setTimeout as sleep } from 'node:timers/promises'
import { checkEffects, type CheckResult } from './checks.ts'
import { fullJourney, searchTraffic, Tally, type JourneyRecord, type World } from './journeys.ts'
import type { FaultStack } from './stack.ts'

export interface Fault {
  name: string
  /** the journey step most journeys reach before the fault is injected */
  after: string
  /** injects the fault and ends it; answers when it ended (ms since the epoch) */
  inject(stack: FaultStack, tally: Tally, notes: string[]): Promise<number>
  /** the fault's own targets beyond 0 lost / 0 duplicated / recovered: what the row missed */
  targets?(row: Row): string[]
}

/** The gateway's upstream timeout (GATEWAY_UPSTREAM_TIMEOUT_MS default): no answer may take longer. */
export const UPSTREAM_TIMEOUT_MS = 10_000
/** Everything back within this long after Postgres returns. */
export const POSTGRES_RECOVERY_MS = 30_000

export interface Row {
  fault: string
  journeys: string
  writes: string
  lost: number
  duplicated: number
  recoverMs: number | null
  maxResponseMs: number
  notes: string[]
  /** writes answered 5xx or not at all */
  refused: number
  /** 5xx answers while NATS was away */
  natsOutage5xx: number
  /** a readiness probe during a NATS outage that was not 200 */
  readinessLost: boolean
  checks: CheckResult | null
  failures: string[]
  /** targets of the fault itself that were missed */
  missed: string[]
  /** how writes were refused: `503 DATABASE_TIMEOUT` … */
  refusedKinds: string[]
  /** every target of the row met */
  ok: boolean
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Every process's /readyz, once; the ones not answering 200. */
async function notReady(stack: FaultStack): Promise<string[]> {
  const res = await Promise.all(
    [...stack.procs.values()].map(async (p) => {
      try {
        const r = await fetch(p.spec.readyUrl, { signal: AbortSignal.timeout(3_000) })
        return r.ok ? null : `${p.spec.name} ${r.status}`
      } catch (err) {
        return `${p.spec.name} ${(err as Error).name}`
      }
    }),
  )
  return res.filter((x): x is string => x !== null)
}

/** NATS stopped for `seconds` (same port and store when it comes back); readiness polled each second meanwhile. */
export function natsDown(seconds: number): Fault {
  return {
    name: `NATS stopped for ${seconds} s`,
    after: 'requested',
    async inject(stack, tally, notes) {
      tally.natsDown = true
      await stack.nats.stop()
      const until = Date.now() + seconds * 1000
      const unready = new Map<string, number>()
      let probes = 0
      while (Date.now() < until) {
        const t = Date.now()
        probes++
        for (const p of await notReady(stack)) unready.set(p, (unready.get(p) ?? 0) + 1)
        await sleep(Math.max(0, Math.min(1_000 - (Date.now() - t), until - Date.now())))
      }
      await stack.nats.start()
      tally.natsDown = false
      notes.push(unready.size ? `readiness NOT green during the outage: ${[...unready].map(([p, n]) => `${p} ×${n}`).join(', ')} of ${probes} probes` : `readiness green in all ${probes} probes of every process during the outage`)
      return Date.now()
    },
    targets: (row) => [
      ...(row.refused ? [`writes refused during a NATS outage: ${row.writes}`] : []),
      ...(row.natsOutage5xx ? [`${row.natsOutage5xx} 5xx answers while NATS was away`] : []),
      ...(row.readinessLost ? ['readiness not green while NATS was away'] : []),
    ],
  }
}

/** Postgres stopped (fast shutdown: sessions cut) for `seconds`, then started again on the same port and data. */
export function postgresDown(seconds: number, name = `Postgres stopped for ${seconds} s`): Fault {
  return {
    name,
    after: 'requested',
    async inject(stack, tally) {
      const before = tally.maxMs
      tally.maxMs = 0
      await stack.pg.stop()
      await sleep(seconds * 1000)
      await stack.pg.start()
      // the row's slowest answer is mostly this outage's; keep the larger
      tally.maxMs = Math.max(before, tally.maxMs)
      return Date.now()
    },
    targets: (row) => [
      ...row.refusedKinds.filter((k) => !/^503 [A-Z_]+$/.test(k)).map((k) => `a write refused otherwise than 503 with a code: ${k}`),
      ...(row.maxResponseMs > UPSTREAM_TIMEOUT_MS ? [`an answer took ${secs(row.maxResponseMs)}, past the gateway's ${secs(UPSTREAM_TIMEOUT_MS)}`] : []),
      ...(row.recoverMs !== null && row.recoverMs > POSTGRES_RECOVERY_MS ? [`recovered in ${secs(row.recoverMs)}, past ${secs(POSTGRES_RECOVERY_MS)}`] : []),
    ],
  }
}

/** Where a service's work happens in a journey: it is killed once most journeys got there. */
const KILL_AFTER: Record<string, string> = {
  'mentor-catalog': 'registered',
  matching: 'requested',
  'chat-bridge': 'accepted',
  meeting: 'room',
  payment: 'booked',
  notification: 'accepted',
  tracking: 'requested',
}

/** kill -9 of one process, started again at once (a supervisor's restart). */
export function killed(service: string): Fault {
  return {
    name: `kill -9 ${service}, restarted`,
    after: KILL_AFTER[service] ?? 'requested',
    async inject(stack) {
      const p = stack.procs.get(service)!
      await p.stop('SIGKILL')
      p.start()
      return Date.now()
    },
  }
}

/** The gateway stopped (SIGTERM: it drains) and started again while the journeys and searches run. */
export function gatewayRestart(): Fault {
  return {
    name: 'gateway restarted under load',
    after: 'requested',
    async inject(stack) {
      const p = stack.procs.get('gateway')!
      await p.stop('SIGTERM')
      p.start()
      return Date.now()
    },
  }
}

export interface RowOptions {
  journeys: number
  /** bound of each journey step's retries and waits: past the longest fault */
  stepBoundMs: number
  /** how long the effects may take to show after the journeys ended */
  settleBoundMs: number
  /** the row's index, for its own search keyword */
  index: number
  log: (msg: string) => void
}

export async function runRow(stack: FaultStack, world: World, fault: Fault, opts: RowOptions): Promise<Row> {
  const tally = new Tally()
  const notes: string[] = []
  const keyword = `faultsq${world.stamp}r${opts.index}`
  const search = searchTraffic(world.gatewayUrl, tally, keyword)
  const reached = new Map<string, number>()
  const records: JourneyRecord[] = []
  const runs = Array.from({ length: opts.journeys }, (_, i) =>
    fullJourney(world, opts.index * 1000 + i, tally, (s) => reached.set(s, (reached.get(s) ?? 0) + 1), opts.stepBoundMs).then(
      (r) => void records.push(r),
      (err: Error) => void tally.failures.push(`journey ${i}: ${err.message}`),
    ),
  )
  const allDone = Promise.all(runs)
  // mid-flow: most journeys reached the step the fault hits (bounded: a slow start still gets its fault)
  const want = Math.ceil(opts.journeys / 2)
  const deadline = Date.now() + 120_000
  while ((reached.get(fault.after) ?? 0) < want && Date.now() < deadline && tally.failures.length < opts.journeys) await sleep(50)
  opts.log(`  ${fault.name}: injecting (${reached.get(fault.after) ?? 0}/${opts.journeys} journeys past "${fault.after}")`)
  const ended = await fault.inject(stack, tally, notes)
  // every process ready again (a restarted one boots), bounded
  await Promise.all([...stack.procs.values()].map((p) => p.waitReady(opts.stepBoundMs).catch((err: Error) => void tally.failures.push(err.message.split('\n')[0]!))))
  await allDone
  await search.stop()
  let checks: CheckResult | null = null
  let recoveredAt: number | null = null
  /** what was still missing at the last check before everything was there: what recovered last */
  let last: string[] = []
  const journeysEnded = Date.now()
  const settleBy = Date.now() + opts.settleBoundMs
  for (;;) {
    checks = await checkEffects(stack.adminUrl, records, tally.searches).catch((err: Error) => {
      tally.failures.push(`checks: ${err.message}`)
      return null
    })
    if (checks && checks.lost === 0 && checks.duplicated === 0) {
      recoveredAt = Date.now()
      if (last.length) notes.push(`${secs(recoveredAt - journeysEnded)} after the journeys ended these were still arriving: ${last.slice(0, 3).join('; ')}${last.length > 3 ? ` … ${last.length} in all` : ''}`)
      break
    }
    last = checks?.problems ?? []
    if (Date.now() > settleBy) break
    await sleep(500)
  }
  const lost = (checks?.lost ?? 0) + (opts.journeys - records.length)
  if (tally.natsOutage5xx.length) notes.push(`5xx while NATS was away: ${tally.natsOutage5xx.slice(0, 5).join('; ')}${tally.natsOutage5xx.length > 5 ? ` … ${tally.natsOutage5xx.length} in all` : ''}`)
  const row: Row = {
    fault: fault.name,
    journeys: `${records.length}/${opts.journeys} full + ${tally.searches.get(keyword)?.responses ?? 0} searches`,
    writes: `${tally.writesOk} / ${tally.refusedTotal()}${tally.refused.size ? ` (${tally.refusedText()})` : ''}`,
    lost,
    duplicated: checks?.duplicated ?? 0,
    recoverMs: recoveredAt === null || records.length < opts.journeys ? null : Math.max(0, recoveredAt - ended),
    maxResponseMs: tally.maxMs,
    notes,
    refused: tally.refusedTotal(),
    natsOutage5xx: tally.natsOutage5xx.length,
    readinessLost: notes.some((n) => n.includes('NOT green')),
    checks,
    failures: [...tally.failures, ...(checks?.problems ?? [])],
    refusedKinds: [...tally.refused.keys()],
    missed: [],
    ok: false,
  }
  row.missed = fault.targets?.(row) ?? []
  row.notes.push(...row.missed.map((m) => `target missed: ${m}`))
  row.ok = row.missed.length === 0 && row.lost === 0 && row.duplicated === 0 && row.recoverMs !== null && row.failures.length === 0 && row.natsOutage5xx === 0 && !row.readinessLost
  opts.log(`  ${fault.name}: ${row.journeys}, writes ${row.writes}, lost ${row.lost}, duplicated ${row.duplicated}, recovered ${row.recoverMs === null ? 'NO' : `in ${secs(row.recoverMs)}`}, slowest answer ${secs(row.maxResponseMs)}${notes.length ? `; ${notes.join('; ')}` : ''}`)
  for (const f of row.failures.slice(0, 10)) opts.log(`    ✖ ${f}`)
  return row
}

/** The table: | fault | journeys | writes ok / refused (status) | lost | duplicated | time to recover | slowest answer | */
export function table(rows: Row[]): string {
  const lines = [
    '| fault | journeys | writes ok / refused (status) | lost | duplicated | time to recover | slowest answer |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.fault} | ${r.journeys} | ${r.writes} | ${r.lost} | ${r.duplicated} | ${r.recoverMs === null ? '**not recovered**' : secs(r.recoverMs)} | ${secs(r.maxResponseMs)} |`),
  ]
  return lines.join('\n')
}
