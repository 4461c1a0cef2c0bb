import t from 'tap'
import { context, propagation, trace, ROOT_CONTEXT } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { ensureStreams, publishTelemetry } from '../src/index.ts'
import { deleteStreams, streamDef, streamMessages, testBus, uniq, waitFor } from './fixtures/helpers.ts'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())

const p = uniq()
const NAME = `${p.toUpperCase()}_TELEMETRY`
const bus = await testBus('bus-test-telemetry')
await ensureStreams(bus.jsm, [streamDef(NAME, [`${p}.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [NAME])
  await bus.close()
  propagation.disable()
  context.disable()
})

const traced = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 })
const stored = (subject: string) => streamMessages(bus.jsm, NAME).then((all) => all.filter((m) => m.subject === subject))

t.test('a record lands in the stream, JSON-encoded, with the trace it was published in', async (t) => {
  const subject = `${p}.telemetry.search`
  t.equal(
    context.with(traced, () => publishTelemetry(bus, subject, { q: 'python' })),
    true,
  )
  t.equal(publishTelemetry(bus, subject, { q: 'ux' }, { context: traced }), true, 'or with a context captured earlier')
  const [inSpan, captured] = await waitFor(async () => ((await stored(subject)).length === 2 ? stored(subject) : null), { what: 'two records' })
  t.same(inSpan!.data, { q: 'python' })
  t.equal(inSpan!.headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
  t.same(captured!.data, { q: 'ux' })
  t.equal(captured!.headers.traceparent, inSpan!.headers.traceparent)
})

t.test('encoded bytes go as they are; a Nats-Msg-Id lets the stream drop a repeat', async (t) => {
  const subject = `${p}.telemetry.access_batch`
  const bytes = new TextEncoder().encode('{"events":[{"n":1}]}')
  const msgId = `producer.${uniq()}`
  t.equal(context.with(traced, () => publishTelemetry(bus, subject, bytes, { msgId, context: ROOT_CONTEXT })), true)
  t.equal(publishTelemetry(bus, subject, bytes, { msgId }), true, 'the repeat is sent')
  t.equal(publishTelemetry(bus, subject, { events: [{ n: 2 }] }, { msgId: `${msgId}.2` }), true)
  const [first, second] = await waitFor(async () => ((await stored(subject)).length === 2 ? stored(subject) : null), { what: 'two records' })
  t.same(first!.data, { events: [{ n: 1 }] })
  t.equal(first!.headers['Nats-Msg-Id'], msgId)
  t.notOk(first!.headers.traceparent, 'ROOT_CONTEXT: no trace, whatever is active')
  t.same(second!.data, { events: [{ n: 2 }] }, 'the repeat was dropped')
})

t.test('false, never a throw, when the record cannot be sent', async (t) => {
  t.equal(publishTelemetry(bus, 'bad subject with spaces', { x: 1 }), false, 'an invalid subject is reported, not thrown')
  t.equal(publishTelemetry(bus, `${p}.telemetry.big`, new Uint8Array(bus.nc.info!.max_payload + 1)), false, 'a payload above the server limit')
  const closed = await testBus('bus-test-telemetry-closed')
  await closed.close()
  t.equal(publishTelemetry(closed, `${p}.telemetry.search`, { x: 1 }), false, 'a closed connection')
  const draining = await testBus('bus-test-telemetry-draining')
  const drained = draining.nc.drain()
  t.equal(publishTelemetry(draining, `${p}.telemetry.search`, { x: 1 }), false, 'a draining connection: shutting down')
  await drained
})
