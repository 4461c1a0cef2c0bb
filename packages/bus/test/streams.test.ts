import t from 'tap'
import { ensureStreams } from '../src/index.ts'
import { deleteStreams, streamDef, testBus, uniq } from './fixtures/helpers.ts'

const p = uniq()
const NAME = `${p.toUpperCase()}_STREAMS`
const bus = await testBus('bus-test-streams')
t.teardown(async () => {
  await deleteStreams(bus.jsm, [NAME])
  await bus.close()
})

t.test('ensureStreams creates, is idempotent, and updates a changed max_age', async (t) => {
  const def = streamDef(NAME, [`${p}.>`])
  t.same(await ensureStreams(bus.jsm, [def]), [{ name: NAME, action: 'created' }])
  const created = (await bus.jsm.streams.info(NAME)).config
  t.equal(created.max_age, def.maxAgeMs * 1_000_000, 'max_age in nanoseconds')
  t.equal(created.duplicate_window, def.duplicateWindowMs * 1_000_000)
  t.equal(created.max_bytes, def.maxBytes)
  t.equal(created.storage, 'file')
  t.equal(created.retention, 'limits')
  t.equal(created.discard, 'old')

  t.same(await ensureStreams(bus.jsm, [def]), [{ name: NAME, action: 'unchanged' }], 'second call changes nothing')
  t.same(await Promise.all([ensureStreams(bus.jsm, [def]), ensureStreams(bus.jsm, [def])]), [
    [{ name: NAME, action: 'unchanged' }],
    [{ name: NAME, action: 'unchanged' }],
  ])

  const longer = { ...def, maxAgeMs: def.maxAgeMs * 2 }
  t.same(await ensureStreams(bus.jsm, [longer]), [{ name: NAME, action: 'updated' }])
  t.equal((await bus.jsm.streams.info(NAME)).config.max_age, longer.maxAgeMs * 1_000_000, 'max_age updated on the server')
  t.same(await ensureStreams(bus.jsm, [longer]), [{ name: NAME, action: 'unchanged' }])
})

t.test('concurrent first declarations from several replicas both succeed', async (t) => {
  const q = uniq()
  const name = `${q.toUpperCase()}_RACE`
  t.teardown(() => deleteStreams(bus.jsm, [name]))
  const def = streamDef(name, [`${q}.>`])
  const results = await Promise.all([ensureStreams(bus.jsm, [def]), ensureStreams(bus.jsm, [def]), ensureStreams(bus.jsm, [def])])
  t.ok(results.flat().some((r) => r.action === 'created'))
  t.equal((await bus.jsm.streams.info(name)).config.name, name)
})
