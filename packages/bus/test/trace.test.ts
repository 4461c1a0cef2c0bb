import t from 'tap'
import { context, propagation, trace, ROOT_CONTEXT, SpanKind, type SpanContext } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { headers as natsHeaders } from '@nats-io/nats-core'
import { createEvent, ensureStreams, extractTraceContext, injectTraceHeaders, OutboxRelay, publishInTx, startConsumer } from '../src/index.ts'
import { createTestSchema, deleteStreams, quietLogger, streamDef, streamMessages, testBus, uniq, waitFor } from './fixtures/helpers.ts'

// What the app's telemetry bootstrap does, minus exporting: the bus itself only uses the API.
const exporter = new InMemorySpanExporter()
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
const contextManager = new AsyncLocalStorageContextManager().enable()
context.setGlobalContextManager(contextManager)
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
trace.setGlobalTracerProvider(provider)
const tracer = trace.getTracer('bus-test')

const p = uniq()
const STREAM = `${p.toUpperCase()}_TRACE`
const bus = await testBus('bus-test-trace')
const schema = await createTestSchema()
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM])
  await bus.close()
  await schema.drop()
  await provider.shutdown()
  trace.disable()
  propagation.disable()
  context.disable()
})

const finished = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)

t.test('header helpers round-trip the active context', async (t) => {
  await tracer.startActiveSpan('origin', async (span) => {
    const h = injectTraceHeaders(natsHeaders())
    t.match(h.get('traceparent'), new RegExp(`^00-${span.spanContext().traceId}-${span.spanContext().spanId}-01$`))
    const remote = trace.getSpanContext(extractTraceContext(h))
    t.equal(remote?.traceId, span.spanContext().traceId)
    t.equal(remote?.isRemote, true)
    span.end()
  })
  t.equal(trace.getSpanContext(extractTraceContext(natsHeaders())), undefined, 'no headers, no parent')
})

t.test('an event published through outbox + relay is handled inside the producer trace', async (t) => {
  const type = `${p}.ev.traced`
  let producer: SpanContext | undefined
  let eventId = ''
  await tracer.startActiveSpan('produce', async (span) => {
    producer = span.spanContext()
    const ev = createEvent({ type, version: 1, source: 'bus-test', actor: { type: 'user', id: 'u1', role: 'mentee' }, data: {} })
    t.match(ev.trace?.traceparent, producer.traceId, 'the envelope carries the producer trace')
    eventId = ev.id
    await schema.db.transaction().execute((trx) => publishInTx(trx, ev))
    span.end()
  })
  const outboxRow = await schema.db.selectFrom('outbox').select('headers').where('event_id', '=', eventId).executeTakeFirstOrThrow()
  t.match(outboxRow.headers.traceparent, producer!.traceId, 'outbox row keeps the trace headers')

  // the relay runs outside any span, as it does in a service
  const relay = new OutboxRelay({ db: schema.db, js: bus.js, logger: quietLogger })
  await context.with(ROOT_CONTEXT, () => relay.flush())
  const [published] = (await streamMessages(bus.jsm, STREAM)).filter((m) => m.data.id === eventId)
  t.match(published?.headers.traceparent, producer!.traceId, 'the NATS message carries traceparent')

  let seen: SpanContext | undefined
  const c = await startConsumer({
    bus,
    db: schema.db,
    stream: STREAM,
    durable: `trace_${uniq()}`,
    filterSubject: type,
    logger: quietLogger,
    handler: async () => {
      seen = trace.getActiveSpan()?.spanContext()
    },
  })
  t.teardown(() => c.stop())
  await waitFor(() => seen, { what: 'handled' })
  t.equal(seen!.traceId, producer!.traceId, 'same trace id on the consumer side')
  const consumerSpan = await waitFor(() => finished(`${type} process`), { what: 'consumer span ended' })
  t.equal(consumerSpan.kind, SpanKind.CONSUMER)
  t.equal(consumerSpan.parentSpanContext?.spanId, producer!.spanId, 'the producer span is the parent')
  t.equal(consumerSpan.spanContext().spanId, seen!.spanId, 'the handler runs inside the consumer span')
})
