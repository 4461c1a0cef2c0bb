// Test files are isolated from each other. tap runs two files at a time, and every file's payment app
// starts the durable consumer payment_meeting_bookings: on a shared NATS and database, a booking one
// file held was consumed by the other file's app — the payment then went through that app's provider
// (or its refund waited for a worker that has the provider), and tests failed now and then. The
// helpers give each file a database and a NATS server of its own (helpers.ts, `isolate`).
// Here the other file is a real second process (fixtures/another-file.ts) built through the same
// helpers with Stripe as its provider, running while this file holds bookings with the sandbox.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildPayment, dbOf, hold } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildPayment({ PAYMENT_PROVIDER: 'sandbox' })
})
t.teardown(async () => {
  await app.close()
})

t.test("a booking this file holds is handled by this file's app, never by another file's running at the same time", async (t) => {
  // the other file's process inherits the run's environment, as tap's second worker does
  const other = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/another-file.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: process.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = once(other, 'exit')
  t.teardown(async () => {
    other.stdin!.end()
    await exited
  })
  let out = ''
  other.stdout!.on('data', (d: Buffer) => void (out += d.toString()))
  await Promise.race([
    new Promise<void>((resolve) => other.stdout!.on('data', () => out.includes('ready') && resolve())),
    exited.then(([code]) => Promise.reject(new Error(`the other file's process exited (${code}) before it was ready`))),
  ])

  const providers: string[] = []
  for (let i = 0; i < 12; i++) {
    const b = await hold(app)
    const row = await dbOf(app).selectFrom('payments').select('provider').where('id', '=', b.paymentId).executeTakeFirstOrThrow()
    providers.push(row.provider)
  }
  t.same(
    providers,
    providers.map(() => 'sandbox'),
    "every payment was created by this file's app (its provider), none by the other file's (stripe)",
  )
})
