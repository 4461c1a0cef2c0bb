import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { connectBus, ensureStreams, type Bus } from '@sunbae/bus'
import { STREAMS, TELEMETRY_SUBJECTS, type SearchPerformedV1 } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { findNatsServer, startPrivateNats, type PrivateNats } from '@sunbae/testing/nats-server'
import { SearchEvents } from '../src/search/search-events.ts'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const natsBinary = findNatsServer()

const event = (requestId: string): SearchPerformedV1 => ({
  query: 'python',
  terms: ['python'],
  filters: { skills: [], languages: [], minRate: null, maxRate: null, minYears: null },
  sort: 'relevance',
  page: 1,
  pageSize: 20,
  resultCount: 3,
  latencyMs: 1.5,
  user: null,
  requestId,
  traceId: null,
  occurredAt: new Date().toISOString(),
})

t.test('a search event queued while NATS is down reaches the TELEMETRY stream once after NATS restarts', { skip: natsBinary ? false : 'no nats-server binary here' }, async (t) => {
  const parent = mkdtempSync(path.join(tmpdir(), 'catalog-search-events-'))
  const dir = path.join(parent, 'store')
  let nats: PrivateNats = await startPrivateNats(natsBinary!, dir, { keepStore: true })
  t.teardown(() => {
    nats.kill()
    rmSync(parent, { recursive: true, force: true })
  })
  const connect = (name: string): Promise<Bus> => connectBus({ servers: nats.url, name, logger: quiet, reconnectTimeWaitMs: 100 })
  const bus = await connect('catalog-search-events-test')
  t.teardown(() => bus.close())
  await ensureStreams(bus.jsm, [STREAMS.telemetry])
  const events = new SearchEvents(bus)
  t.teardown(() => events.close(500))

  const stored = async () => {
    const reader = await connect('catalog-search-events-reader')
    try {
      const info = await reader.jsm.streams.info(STREAMS.telemetry.name)
      const ids: string[] = []
      for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
        const m = await reader.jsm.streams.getMessage(STREAMS.telemetry.name, { seq })
        if (m?.subject === TELEMETRY_SUBJECTS.search) ids.push(m.json<SearchPerformedV1>().requestId)
      }
      return ids
    } finally {
      await reader.close()
    }
  }

  events.performed(event('before'))
  await waitFor(async () => (await stored()).length === 1, 5_000)
  t.same(await stored(), ['before'], 'confirmed and stored while NATS is up')

  const gone = (async () => {
    for await (const s of bus.nc.status()) if (s.type === 'disconnect') return
  })()
  await nats.stop()
  await gone
  events.performed(event('during'))
  await new Promise((r) => setTimeout(r, 300))
  t.equal(events.size, 1, 'kept while NATS is down')

  nats = await startPrivateNats(natsBinary!, dir, { keepStore: true, port: nats.port })
  await waitFor(async () => (await stored()).includes('during'), 15_000).catch(() => t.fail('the event queued while NATS was down never arrived'))
  t.same(await stored(), ['before', 'during'], 'it arrived after the restart, and each event is stored once')
  await waitFor(() => events.size === 0, 5_000)
  t.pass('and was confirmed')
})
