import t from 'tap'
import type { DomainEvent } from '@sunbae/contracts'
import { createEvent, ensureStreams, followStream, streamLastSeq } from '../src/index.ts'
import { deleteStreams, quietLogger, streamDef, testBus, uniq, waitFor } from './fixtures/helpers.ts'

const p = uniq()
const STREAM = `${p.toUpperCase()}_FOLLOW`
const bus = await testBus('bus-test-follow')
await ensureStreams(bus.jsm, [streamDef(STREAM, [`${p}.>`])])
t.teardown(async () => {
  await deleteStreams(bus.jsm, [STREAM])
  await bus.close()
})

const enc = new TextEncoder()
const publish = (type: string, n: number) => {
  const ev = createEvent({ type, version: 1, source: 'bus-test', actor: { type: 'system', id: null }, data: { n } })
  return bus.js.publish(type, enc.encode(JSON.stringify(ev)), { msgID: ev.id })
}

t.test('follows from the sequence after a snapshot, in order, only the filtered subjects', async (t) => {
  t.equal(await streamLastSeq(bus, STREAM), 0, 'an empty stream')
  await publish(`${p}.mentor.approved`, 1)
  await publish(`${p}.mentor.approved`, 2)
  // the "snapshot" has seen everything up to here
  const snapshotSeq = await streamLastSeq(bus, STREAM)
  t.equal(snapshotSeq, 2)
  await publish(`${p}.mentor.updated`, 3)
  await publish(`${p}.user.registered`, 99)

  const seen: Array<{ n: number; seq: number; subject: string }> = []
  const follower = await followStream({
    bus,
    stream: STREAM,
    filterSubject: `${p}.mentor.>`,
    startSeq: snapshotSeq + 1,
    logger: quietLogger,
    handler: (e: DomainEvent | null, meta) => {
      seen.push({ n: (e?.data as { n: number } | undefined)?.n as number, ...meta })
      if (!e) throw new Error('malformed')
    },
  })
  t.teardown(() => follower.stop())
  await publish(`${p}.mentor.suspended`, 4)
  await publish(`${p}.mentor.rated`, 5)
  await waitFor(() => seen.length >= 3, { what: 'three events' })
  t.same(seen.map((s) => s.n), [3, 4, 5], 'none before the start, none of other subjects, in order')
  t.same(seen.map((s) => s.subject), [`${p}.mentor.updated`, `${p}.mentor.suspended`, `${p}.mentor.rated`])
  t.equal(follower.lastSeq, seen[2]!.seq)

  // a handler that throws does not stop the follower; a malformed payload arrives as null
  await bus.js.publish(`${p}.mentor.broken`, enc.encode('{not json'))
  await publish(`${p}.mentor.updated`, 6)
  await waitFor(() => seen.length >= 5, { what: 'two more' })
  t.equal(seen[3]!.n, undefined, 'malformed payload delivered as null')
  t.equal(seen[4]!.n, 6)
  await follower.stop()
  await follower.stop()
})

t.test('two followers (two replicas) each get every event', async (t) => {
  const start = (await streamLastSeq(bus, STREAM)) + 1
  const a: number[] = []
  const b: number[] = []
  const fa = await followStream({ bus, stream: STREAM, filterSubject: `${p}.mentor.>`, startSeq: start, logger: quietLogger, handler: (e) => void a.push((e!.data as { n: number }).n) })
  const fb = await followStream({ bus, stream: STREAM, filterSubject: `${p}.mentor.>`, startSeq: start, logger: quietLogger, handler: (e) => void b.push((e!.data as { n: number }).n) })
  t.teardown(async () => {
    await fa.stop()
    await fb.stop()
  })
  for (let i = 10; i < 20; i++) await publish(`${p}.mentor.updated`, i)
  await waitFor(() => a.length >= 10 && b.length >= 10, { what: 'ten each' })
  t.same(a, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
  t.same(b, a)
})
