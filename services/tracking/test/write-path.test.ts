// The ingest's write path against the real database: COPY (the default) and the former
// INSERT … unnest, the same expectations for both — every new row stored once, a row seen before
// (a redelivery, or twice in one batch) never stored twice, values exactly as mapped (scrubbed,
// with every character COPY's text format has to escape), each row in its time partition.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { createDb } from '@sunbae/db'
import { createScrubber } from '@sunbae/service-kit/scrub'
import { arrayLiteral, copyBuffer, copyText, copyValue } from '../src/ingest/copy.ts'
import { timeId } from '../src/ingest/ids.ts'
import { IngestRepository, type InsertMethod } from '../src/ingest/ingest.repository.ts'
import type { AccessRow, AuditRow, ErrorRow, SearchRow, SlowQueryRow } from '../src/ingest/ingest.table.ts'
import { toAccessRows, type MapperOptions } from '../src/ingest/mappers.ts'
import { PartitionManager, partitionName, unitStart } from '../src/partitions/partitions.ts'
import { trackingTables } from '../src/plugins/app/partitions.ts'
import { serviceUrl, uniq } from './helpers.ts'
import type { DB } from '../src/db/types.ts'

const DAY = 86_400_000
const database = createDb<DB>({ connectionString: serviceUrl, schema: 'tracking', service: 'tracking-write-test', slowQueryMs: 60_000, poolMax: 4 })
const db = database.db
t.teardown(() => database.close())
// today's partitions exist, as the service makes sure at start
await new PartitionManager(db, trackingTables({ retentionDays: 30, auditRetentionDays: 400 }), { aheadDays: 3 }).run()

const repo = (method: InsertMethod) => new IngestRepository(db, database.pool, method)

/** An access row as the mapper makes it; `key` decides its id as a message key would. */
function accessRow(user: string, key: string, over: Partial<AccessRow> = {}): AccessRow {
  const ms = Date.now() - 5_000
  return {
    id: timeId(ms, key),
    requested_at: new Date(ms).toISOString(),
    request_id: `req-${key}`,
    trace_id: null,
    user_id: user,
    method: 'GET',
    path: '/api/mentors',
    route: '/api/mentors',
    status: 200,
    response_ms: 1.25,
    remote_addr: '203.0.113.7',
    host: null,
    query_params: '{}',
    body: null,
    response_body: null,
    error_code: null,
    user_agent: null,
    ...over,
  }
}
const stored = async (user: string) =>
  (await sql<{ request_id: string }>`select request_id from access_log where user_id = ${user} order by request_id`.execute(db)).rows.map((r) => r.request_id)

t.test('COPY text format: escapes, NULL, numbers, arrays', async (t) => {
  t.equal(copyValue(null), '\\N')
  t.equal(copyValue(undefined), '\\N')
  t.equal(copyValue('\\N'), '\\\\N', 'the two characters \\N stay a string, not NULL')
  t.equal(copyValue('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e')
  t.equal(copyValue('plain 멘토 "quoted"'), 'plain 멘토 "quoted"', 'nothing else is touched')
  t.equal(copyValue(12.5), '12.5')
  t.equal(copyValue(Number.NaN), 'NaN')
  t.equal(copyValue(-Infinity), '-Infinity')
  t.equal(arrayLiteral(['a', 'b,c', '{d}', 'e"f', 'g\\h', 'NULL', '']), '{"a","b,c","{d}","e\\"f","g\\\\h","NULL",""}')
  t.equal(copyText(['a', 'b'], [{ a: 1, b: null }, { a: 'x\ty', b: 'z' }]), '1\t\\N\nx\\ty\tz\n')
  t.equal(copyText(['a'], []), '', 'no rows, no text')
  // encoded piece by piece into one growing buffer: exactly the text in UTF-8, however it is cut
  const rows = Array.from({ length: 300 }, (_, i) => ({ a: i, b: `멘토 ${'멘'.repeat(i)}` }))
  for (const piece of [1, 100, 8 * 1024]) {
    t.equal(copyBuffer(['a', 'b'], rows, piece).toString('utf8'), copyText(['a', 'b'], rows), `pieces of ${piece} characters: the text, in UTF-8`)
  }
  t.equal(copyBuffer(['a'], []).length, 0, 'no rows, no bytes')
  t.throws(() => copyValue({}), TypeError, 'an object is never sent as text by accident')
})

for (const method of ['copy', 'insert'] as const) {
  t.test(`${method}: new rows stored; a batch holding stored rows adds only the new ones`, async (t) => {
    const r = repo(method)
    const user = `write-${method}-${uniq()}`
    const a = accessRow(user, `${user}-a`)
    const b = accessRow(user, `${user}-b`)
    const c = accessRow(user, `${user}-c`)
    t.equal(await r.insertAccess([a, b]), 2, 'two new')
    t.equal(r.stats.slowPath, 0, 'no duplicate: one COPY')
    // a redelivery: the same rows again, with one new
    t.equal(await r.insertAccess([b, a, c]), 1, 'only the new one counts')
    t.same(await stored(user), [a.request_id, b.request_id, c.request_id].sort(), 'each once')
    if (method === 'copy') t.equal(r.stats.slowPath, 3, 'the duplicate sent the batch through the staging table')
    t.equal(await r.insertAccess([a, b, c]), 0, 'all seen before: nothing added')
    t.equal((await stored(user)).length, 3)
  })

  t.test(`${method}: the same row twice in one batch is stored once`, async (t) => {
    const r = repo(method)
    const user = `twice-${method}-${uniq()}`
    const a = accessRow(user, `${user}-a`)
    const b = accessRow(user, `${user}-b`)
    t.equal(await r.insertAccess([a, b, { ...a }, b]), 2)
    t.same(await stored(user), [a.request_id, b.request_id].sort())
  })

  t.test(`${method}: rows go to their time partition, DEFAULT when there is none (also on the slow path)`, async (t) => {
    const r = repo(method)
    const user = `route-${method}-${uniq()}`
    const now = Date.now()
    // 15 days back: kept (retention 30) but older than the week of partitions made behind today
    const old = now - 15 * DAY
    const today = accessRow(user, `${user}-today`)
    const stray = accessRow(user, `${user}-stray`, { id: timeId(old, `${user}-stray`), requested_at: new Date(old).toISOString() })
    await r.insertAccess([today])
    // `today` again: on the COPY method this batch takes the staging table
    await r.insertAccess([today, stray])
    const where = await sql<{ request_id: string; p: string }>`
      select request_id, tableoid::regclass::text as p from access_log where user_id = ${user} order by request_id`.execute(db)
    t.same(
      where.rows.map((x) => [x.request_id, x.p]),
      [
        [stray.request_id, 'access_log_default'],
        [today.request_id, partitionName('access_log', unitStart(now, 'day'), 'day')],
      ],
    )
    await sql`delete from access_log where user_id = ${user}`.execute(db)
  })

  t.test(`${method}: every table; values come back exactly as written`, async (t) => {
    const r = repo(method)
    const m = uniq()
    const nasty = `tab\there, newline\nhere, cr\rhere, backslash\\here, \\N, quote " and ' , 멘토 🙂`
    const now = Date.now() - 1_000
    const iso = new Date(now).toISOString()

    const access = accessRow(`all-${m}`, `all-${m}`, { path: `/api/${nasty}`, query_params: JSON.stringify({ q: nasty }), body: nasty, response_ms: 0.001 })
    const search: SearchRow = {
      id: randomUUID(), occurred_at: iso, request_id: `s-${m}`, trace_id: null, user_id: null, query: nasty, keyword: 'python 면접',
      terms: ['python', 'a,b', '{c}', 'd"e', 'f\\g', 'NULL', 'tab\tin'], filters: JSON.stringify({ tag: nasty }), sort: 'relevance',
      page: 1, page_size: 20, result_count: 0, latency_ms: 3.5, client_ip: '2001:db8::7',
    }
    const audit: AuditRow = {
      event_id: randomUUID(), occurred_at: iso, type: 'catalog.mentor.updated', version: 1, source: 'mentor-catalog', actor_type: 'user',
      actor_id: `u-${m}`, actor_role: 'admin', entity_type: 'mentor', entity_id: `m-${m}`, payload: JSON.stringify({ note: nasty }), trace_id: null,
    }
    const error: ErrorRow = {
      id: randomUUID(), occurred_at: iso, service: 'payment', fingerprint: `fp-${m}`, request_id: null, trace_id: null, route: null, method: null,
      status: 500, code: 'INTERNAL', message: nasty, stack: `Error: ${nasty}\n    at x (y.ts:1:1)`,
    }
    const slow: SlowQueryRow = { id: randomUUID(), occurred_at: iso, service: 'payment', sql: `select '${nasty}'`, sql_hash: `h-${m}`, duration_ms: 250.5, trace_id: null }

    t.equal(await r.insertAccess([access]), 1)
    t.equal(await r.insertSearches([search]), 1)
    t.equal(await r.insertAudit([audit]), 1)
    t.equal(await r.insertErrors([error]), 1)
    t.equal(await r.insertSlowQueries([slow]), 1)

    const a = (await sql<{ path: string; body: string; query_params: unknown; response_ms: number }>`select path, body, query_params, response_ms from access_log where id = ${access.id}::uuid`.execute(db)).rows[0]!
    t.same(a, { path: access.path, body: nasty, query_params: { q: nasty }, response_ms: 0.001 })
    const s = (await sql<{ query: string; terms: string[]; filters: unknown; client_ip: string }>`select query, terms, filters, client_ip from search_events where id = ${search.id}::uuid`.execute(db)).rows[0]!
    t.same(s, { query: nasty, terms: search.terms, filters: { tag: nasty }, client_ip: '2001:db8::7' }, 'text[] elements with , { } " \\ and the word NULL intact')
    const e = (await sql<{ payload: unknown; received_at: Date }>`select payload, received_at from audit_events where event_id = ${audit.event_id}::uuid`.execute(db)).rows[0]!
    t.same(e.payload, { note: nasty })
    t.ok(e.received_at instanceof Date, 'received_at filled by its default')
    const er = (await sql<{ message: string; stack: string }>`select message, stack from error_reports where id = ${error.id}::uuid`.execute(db)).rows[0]!
    t.same(er, { message: nasty, stack: error.stack })
    const sq = (await sql<{ sql: string; duration_ms: number }>`select sql, duration_ms from slow_queries where id = ${slow.id}::uuid`.execute(db)).rows[0]!
    t.same(sq, { sql: slow.sql, duration_ms: 250.5 })
  })

  t.test(`${method}: a gateway batch mapped and written — secrets scrubbed, a redelivered batch adds nothing`, async (t) => {
    const r = repo(method)
    const user = `batch-${method}-${uniq()}`
    const o: MapperOptions = { scrubber: createScrubber(), bodyMax: 4096, cutoff: () => 0 }
    const events = Array.from({ length: 50 }, (_, i) => ({
      requestId: `${user}-${i}`,
      traceId: null,
      user,
      requestedAt: new Date(Date.now() - 2_000 + i).toISOString(),
      responseMs: 3,
      path: '/api/me',
      route: '/api/me',
      method: 'PUT',
      remoteAddr: '203.0.113.7',
      host: 'api.sunbae.test',
      queryParams: { token: `tok-${i}`, q: 'x\ty' },
      body: JSON.stringify({ password: `pw-${i}`, line: 'a\nb' }),
      status: 200,
      errors: null,
      userAgent: null,
    }))
    const msg = { data: new TextEncoder().encode(JSON.stringify({ events })), headers: { get: (k: string) => (k === 'Nats-Msg-Id' ? `${user}.1` : '') } }
    const rows = toAccessRows(msg as never, o)!
    t.equal(await r.insertAccess(rows), 50)
    t.equal(await r.insertAccess(toAccessRows(msg as never, o)!), 0, 'the same message again (a redelivery): the same ids, nothing added')
    const got = (await sql<{ query_params: Record<string, string>; body: string }>`select query_params, body from access_log where user_id = ${user}`.execute(db)).rows
    t.equal(got.length, 50)
    t.ok(got.every((g) => g.query_params.token === '[REDACTED]' && g.query_params.q === 'x\ty'), 'query secrets scrubbed, the rest intact')
    t.ok(got.every((g) => JSON.parse(g.body).password === '[REDACTED]' && JSON.parse(g.body).line === 'a\nb'), 'body secrets scrubbed')
    t.notMatch(JSON.stringify(got), /pw-\d|tok-\d/, 'no secret stored')
  })
}

t.test('a COPY that fails for another reason than a duplicate is not retried through the staging table', async (t) => {
  const r = repo('copy')
  const user = `bad-${uniq()}`
  const good = accessRow(user, `${user}-good`)
  const bad = accessRow(user, `${user}-bad`, { status: 70_000 }) // out of smallint's range
  await t.rejects(r.insertAccess([good, bad]), { code: '22003' }, 'the data error reaches the batch consumer, which splits the batch')
  t.equal(r.stats.slowPath, 0)
  t.same(await stored(user), [], 'nothing of the failed batch stored')
  t.equal(await r.insertAccess([good]), 1, 'the connection is usable afterwards')
})
