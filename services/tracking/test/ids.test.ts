import t from 'tap'
import { batchTimeIds, timeId, timeOfId } from '../src/ingest/ids.ts'

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('timeId: a UUIDv8 carrying the time, the same for the same key', async (t) => {
  const ms = Date.UTC(2026, 10, 27, 12, 34, 56, 789)
  const id = timeId(ms, 'msgid:abc')
  t.match(id, UUID_V8)
  t.equal(timeOfId(id)?.getTime(), ms)
  t.equal(timeId(ms, 'msgid:abc'), id, 'deterministic')
  t.not(timeId(ms, 'msgid:abd'), id, 'another key, another id')
})

t.test('batchTimeIds: one id per (message, record), each a UUIDv8 carrying its record time', async (t) => {
  const base = Date.UTC(2026, 10, 27, 0, 0, 0, 0)
  const idOf = batchTimeIds('msgid:producer.42')
  const ids = Array.from({ length: 1000 }, (_, i) => idOf(base + (i % 3), i))
  for (const [i, id] of ids.entries()) {
    if (!UUID_V8.test(id)) t.fail(`record ${i}: ${id} is not a UUIDv8`)
    if (timeOfId(id)?.getTime() !== base + (i % 3)) t.fail(`record ${i}: ${id} does not carry its time`)
  }
  t.equal(new Set(ids).size, 1000, 'records of one message never share an id, even in the same millisecond')
  // a redelivery computes the same ids, so the stored rows refuse it
  const again = batchTimeIds('msgid:producer.42')
  t.same(Array.from({ length: 1000 }, (_, i) => again(base + (i % 3), i)), ids, 'deterministic')
  // bytes as the key (a message without Nats-Msg-Id) work the same way
  const byBytes = batchTimeIds(new TextEncoder().encode('{"events":[]}'))
  t.equal(byBytes(base, 7), batchTimeIds(new TextEncoder().encode('{"events":[]}'))(base, 7))

  const other = batchTimeIds('msgid:producer.43')
  t.not(other(base, 0), idOf(base, 0), 'the same record of another message gets another id')
  t.equal(other(base, 5).slice(-4), '0005', 'the index is the last 16 bits')
  t.throws(() => idOf(base, 65_536), RangeError)
  t.throws(() => idOf(base, -1), RangeError)
  t.match(idOf(-5, 0), /^00000000-0000-8/, 'a time before 1970 is clamped, not wrapped')
})
