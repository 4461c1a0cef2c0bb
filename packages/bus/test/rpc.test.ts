import t from 'tap'
import { BusError, request, serveEndpoints } from '../src/index.ts'
import { testBus, uniq, waitFor } from './fixtures/helpers.ts'

const p = uniq()
const bus = await testBus('bus-test-rpc')
let slowDone = false
const svc = await serveEndpoints({
  bus,
  name: `bus-test-${p}`,
  version: '1.0.0',
  group: `${p}.rpc`,
  endpoints: {
    echo: async (payload: { name: string }) => ({ hello: payload.name }),
    nothing: async () => undefined,
    missing: async () => {
      throw Object.assign(new Error('mentor m1 not found'), { statusCode: 404, code: 'MENTOR_NOT_FOUND', details: [{ field: 'id', message: 'unknown' }] })
    },
    boom: async () => {
      throw new Error('connection string postgres://secret@db leaked')
    },
    slow: async () => {
      await new Promise((r) => setTimeout(r, 1500))
      slowDone = true
      return { late: true }
    },
  },
})
t.teardown(async () => {
  await svc.stop()
  await bus.close()
})

/** The BusError a request rejected with; anything else (or success) fails the test. */
async function busError(promise: Promise<unknown>): Promise<BusError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof BusError) return err
    throw err
  }
  throw new Error('expected the request to fail')
}

t.test('success decodes the JSON reply', async (t) => {
  t.same(await request(bus, `${p}.rpc.echo`, { name: '선배' }), { hello: '선배' })
  t.equal(await request(bus, `${p}.rpc.nothing`, undefined), null, 'a void handler answers null')
})

t.test('a coded remote error keeps its code, status and details', async (t) => {
  const err = await busError(request(bus, `${p}.rpc.missing`, {}))
  t.equal(err.code, 'MENTOR_NOT_FOUND')
  t.equal(err.statusCode, 404)
  t.equal(err.message, 'mentor m1 not found')
  t.same(err.details, [{ field: 'id', message: 'unknown' }])
})

t.test('an uncoded remote error is a generic 500 that shows no internals', async (t) => {
  const err = await busError(request(bus, `${p}.rpc.boom`, {}))
  t.equal(err.code, 'INTERNAL')
  t.equal(err.statusCode, 500)
  t.notMatch(err.message, /secret/)
})

t.test('timeout → BUS_TIMEOUT', async (t) => {
  const err = await busError(request(bus, `${p}.rpc.slow`, {}, { timeoutMs: 300 }))
  t.equal(err.code, 'BUS_TIMEOUT')
  t.equal(err.statusCode, 504)
  // stop() below must wait for this handler; make sure it actually finishes first
  await waitFor(() => slowDone, { what: 'slow handler done' })
})

t.test('no responders → BUS_NO_RESPONDERS', async (t) => {
  const err = await busError(request(bus, `${p}.rpc.nobody`, {}))
  t.equal(err.code, 'BUS_NO_RESPONDERS')
  t.equal(err.statusCode, 503)
})

t.test('stop() waits for requests in flight', async (t) => {
  const q = uniq()
  let finished = false
  const s = await serveEndpoints({
    bus,
    name: `bus-test-${q}`,
    version: '1.0.0',
    group: `${q}.rpc`,
    endpoints: {
      wait: async () => {
        await new Promise((r) => setTimeout(r, 300))
        finished = true
        return 'ok'
      },
    },
  })
  const reply = request(bus, `${q}.rpc.wait`, {}, { timeoutMs: 10_000 })
  await waitFor(async () => (await s.service.stats()).endpoints?.[0]?.num_requests === 1, { what: 'request received' })
  await s.stop()
  t.ok(finished, 'handler finished before stop() resolved')
  t.equal(await reply, 'ok')
})
