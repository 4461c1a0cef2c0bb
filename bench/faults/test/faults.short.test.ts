// The fault suite's short form, inside `npm test`: the stack of `npm run bench:faults` (its own NATS
// with a JetStream store, its own Postgres cluster, every service and the gateway as processes), a
// few full journeys per row (request → accept → chat room → book → pay → confirmed → cancel →
// refunded) beside search traffic, and three faults: NATS stopped for 10 s, kill -9 of payment once
// most journeys have booked (restarted at once), Postgres restarted. Each row must lose nothing and
// double nothing (checked in the services' own tables, tracking's counts included) and recover;
// while NATS is away no write is refused, nothing answers 5xx and every readiness stays green; after
// the Postgres restart refusals are 503s with a code, no answer outlasts the gateway's upstream
// timeout, and everything is back within 30 s. The rows are printed as the table bench:faults prints.
import path from 'node:path'
import t from 'tap'
import { findNatsServer } from '@sunbae/testing/nats-server'
import { killed, natsDown, postgresDown, POSTGRES_RECOVERY_MS, runRow, table, UPSTREAM_TIMEOUT_MS, type Row } from '../lib/faults.ts'
import { setupWorld } from '../lib/journeys.ts'
import { findPostgresBin } from '../lib/postgres-cluster.ts'
import { startFaultStack } from '../lib/stack.ts'

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..')
const EMULATOR_KEYS = ['FIREBASE_AUTH_EMULATOR_HOST', 'FIRESTORE_EMULATOR_HOST', 'GCLOUD_PROJECT', 'FIREBASE_PROJECT_ID', 'GOOGLE_CLOUD_PROJECT'] as const

const skip = !findNatsServer()
  ? 'no nats-server on this machine'
  : !findPostgresBin()
    ? 'no initdb/postgres on this machine (PG_BIN_DIR)'
    : process.env.SUNBAE_FIRESTORE_UNAVAILABLE
      ? `the Firestore emulator is unavailable (${process.env.SUNBAE_FIRESTORE_UNAVAILABLE}): chat rooms cannot open`
      : !process.env.FIREBASE_AUTH_EMULATOR_HOST || !process.env.FIRESTORE_EMULATOR_HOST
        ? 'no Firebase emulators in the environment (npm test starts them)'
        : false

// the stack boots nine processes on a shared machine; the rows then take about a minute
t.setTimeout(600_000)

t.test('fault suite, short form: NATS 10 s, kill -9 of payment, a Postgres restart — nothing lost, nothing doubled, recovered', { skip }, async (t) => {
  const emulatorEnv = Object.fromEntries(EMULATOR_KEYS.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]))
  // keyed by the test database, as scripts/test.ts keys its NATS: two runs in one checkout never meet
  const db = (new URL(process.env.TEST_DATABASE_URL ?? 'postgres://x/sunbae_test').pathname.slice(1) || 'default').replace(/[^\w-]/g, '_')
  const logDir = path.join(ROOT, '.run', 'faults', `short-${db}`)
  const log = (m: string) => t.comment(m)
  // as the e2e stack allows (scripts/lib/e2e-stack.ts): nine processes booting on two cores shared with the
  // other suites have needed minutes (a run at load 49 saw chat-bridge silent for 240 s)
  const stack = await startFaultStack({ emulatorEnv, log, logDir, readyTimeoutMs: 300_000 })
  t.teardown(() => stack.stop())
  const t0 = Date.now()
  const world = await setupWorld(stack.gatewayUrl, 2, (email) => stack.setRole(email, 'admin'))
  const rows: Row[] = []
  const opts = (index: number) => ({ journeys: 3, stepBoundMs: 120_000, settleBoundMs: 60_000, index, log })

  const nats = await runRow(stack, world, natsDown(10), opts(0))
  rows.push(nats)
  t.equal(nats.refused, 0, `no write refused while NATS was away (${nats.writes})`)
  t.equal(nats.natsOutage5xx, 0, 'no 5xx while NATS was away')
  t.notOk(nats.readinessLost, nats.notes.join('; '))

  const kill = await runRow(stack, world, killed('payment'), opts(1))
  rows.push(kill)

  const pg = await runRow(stack, world, postgresDown(0, 'Postgres restarted'), opts(2))
  rows.push(pg)
  t.same(pg.refusedKinds.filter((k) => !/^503 [A-Z_]+$/.test(k)), [], `refusals are 503 with a code (${pg.writes})`)
  t.ok(pg.maxResponseMs <= UPSTREAM_TIMEOUT_MS, `no answer past the gateway's upstream timeout (slowest ${(pg.maxResponseMs / 1000).toFixed(1)} s)`)
  t.ok(pg.recoverMs !== null && pg.recoverMs <= POSTGRES_RECOVERY_MS, `recovered within 30 s of Postgres's return (${pg.recoverMs} ms)`)

  for (const row of rows) {
    t.equal(row.lost, 0, `${row.fault}: nothing lost`)
    t.equal(row.duplicated, 0, `${row.fault}: nothing duplicated`)
    t.not(row.recoverMs, null, `${row.fault}: recovered`)
    t.same(row.failures, [], `${row.fault}: every journey finished and every effect is there`)
  }
  t.comment(`rows in ${((Date.now() - t0) / 1000).toFixed(0)} s (world set-up included):\n${table(rows)}`)
})
