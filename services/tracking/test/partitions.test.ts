import t from 'tap'
import { sql } from 'kysely'
import { TELEMETRY_SUBJECTS } from '@sunbae/contracts'
import { waitFor } from '@sunbae/testing'
import { PartitionManager, parsePartitionName, partitionName, retentionCutoff, unitStart } from '../src/partitions/partitions.ts'
import { trackingTables } from '../src/plugins/app/partitions.ts'
import { accessEvent, admin, buildTracking, deleteDurables, publishCore, testBus, uniq } from './helpers.ts'

const DAY = 86_400_000
const bus = await testBus('tracking-partitions-test')
const prefix = `part_${uniq()}`
const app = await buildTracking({ TRACKING_DURABLE_PREFIX: prefix, TRACKING_RETENTION_DAYS: '30' })
t.teardown(async () => {
  await app.close()
  await deleteDurables(bus, prefix)
  await bus.close()
})

const partitionsOf = (table: string) => app.partitions.list(table)

t.test('names and cutoffs', async (t) => {
  const d = Date.UTC(2026, 10, 28, 13, 5)
  t.equal(partitionName('access_log', unitStart(d, 'day'), 'day'), 'access_log_p20261128')
  t.equal(partitionName('audit_events', unitStart(d, 'month'), 'month'), 'audit_events_p202611')
  t.same(parsePartitionName('access_log', 'access_log_p20261128', 'day'), { start: Date.UTC(2026, 10, 28), end: Date.UTC(2026, 10, 29) })
  t.same(parsePartitionName('audit_events', 'audit_events_p202612', 'month'), { start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) })
  t.equal(parsePartitionName('access_log', 'access_log_default', 'day'), null, 'DEFAULT is never ours to drop')
  t.equal(retentionCutoff(d, { unit: 'day', retentionDays: 30 }), Date.UTC(2026, 9, 29))
  t.equal(retentionCutoff(d, { unit: 'month', retentionDays: 400 }), Date.UTC(2025, 9, 1))
})

t.test('at start, today and the days ahead have partitions: new rows never land in DEFAULT', async (t) => {
  const now = Date.now()
  // today's partitions exist when the app is ready; the days ahead come from the first full round,
  // which start-up leaves running in the background
  t.ok((await partitionsOf('access_log')).includes(partitionName('access_log', unitStart(now, 'day'), 'day')), 'today, at ready')
  const names = await waitFor(async () => {
    const all = await partitionsOf('access_log')
    return all.includes(partitionName('access_log', unitStart(now + 3 * DAY, 'day'), 'day')) ? all : null
  }, 30_000)
  for (let i = 0; i <= 3; i++) t.ok(names.includes(partitionName('access_log', unitStart(now + i * DAY, 'day'), 'day')), `day +${i}`)
  t.ok((await partitionsOf('audit_events')).includes(partitionName('audit_events', unitStart(now, 'month'), 'month')), 'this month for the audit trail')

  const user = `part-${uniq()}`
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [accessEvent({ user })])
  await waitFor(async () => (await app.inject({ url: `/api/admin/tracking/requests?user=${user}`, headers: admin() })).json().items.length === 1, 15_000)
  const where = await sql<{ p: string }>`select tableoid::regclass::text as p from access_log where user_id = ${user}`.execute(app.db)
  t.equal(where.rows[0]?.p, partitionName('access_log', unitStart(Date.now(), 'day'), 'day'), "the row is in today's partition")
})

t.test('retention drops whole partitions older than TRACKING_RETENTION_DAYS, keeps the rest', async (t) => {
  const tables = trackingTables({ retentionDays: 30, auditRetentionDays: 400 })
  const access = tables.find((x) => x.name === 'access_log')!
  // a manager of our own for "now", so the test does not depend on the service's timer
  const manager = new PartitionManager(app.db, tables, { aheadDays: 3 })
  const now = Date.now()
  const oldDay = unitStart(now - 45 * DAY, 'day')
  const keptDay = unitStart(now - 20 * DAY, 'day')
  const user = `old-${uniq()}`
  // rows of 45 and 20 days ago, as a late consumer (or an older deployment) would have written them
  for (const day of [oldDay, keptDay]) {
    await manager.create(access, day)
    await sql`insert into access_log (id, requested_at, request_id, method, path, status, response_ms, remote_addr)
              values (gen_random_uuid(), ${new Date(day + 3_600_000)}, ${user}, 'GET', '/old', 200, 1, '127.0.0.1')`.execute(app.db)
  }
  const oldName = partitionName('access_log', oldDay, 'day')
  const keptName = partitionName('access_log', keptDay, 'day')
  t.ok((await partitionsOf('access_log')).includes(oldName), 'the old partition exists before maintenance')

  const result = await manager.run(now)
  t.ok(result.dropped.includes(oldName), `dropped ${oldName}`)
  t.notOk(result.dropped.includes(keptName), 'a partition inside the retention is kept')
  const names = await partitionsOf('access_log')
  t.notOk(names.includes(oldName), 'gone from the catalog')
  t.ok(names.includes(keptName))
  t.ok(names.includes('access_log_default'))
  const left = await sql<{ n: string }>`select count(*) as n from access_log where request_id = ${user}`.execute(app.db)
  t.equal(Number(left.rows[0]!.n), 1, "the old day's rows went with their partition; the recent day's stayed")

  const again = await manager.run(now)
  t.same(again.dropped, [], 'idempotent')
})

t.test('rows that landed in DEFAULT move into their partition when it is created; expired ones are deleted', async (t) => {
  const tables = trackingTables({ retentionDays: 30, auditRetentionDays: 400 })
  const search = tables.find((x) => x.name === 'search_events')!
  const manager = new PartitionManager(app.db, [search], { aheadDays: 3 })
  const now = Date.now()
  // 10 days ago: inside retention, older than the week of partitions kept behind today
  const day = unitStart(now - 10 * DAY, 'day')
  const name = partitionName('search_events', day, 'day')
  await sql`select drop_time_partition('search_events', ${name})`.execute(app.db)
  const rid = `moved-${uniq()}`
  const expiredRid = `expired-${uniq()}`
  for (const [r, at] of [[rid, day + 1000], [expiredRid, now - 60 * DAY]] as const) {
    await sql`insert into search_events (id, occurred_at, request_id, sort, page, page_size, result_count, latency_ms)
              values (gen_random_uuid(), ${new Date(at)}, ${r}, 'relevance', 1, 20, 0, 1)`.execute(app.db)
  }
  const inDefault = await sql`select 1 from search_events_default where request_id = ${rid}`.execute(app.db)
  t.equal(inDefault.rows.length, 1, 'no partition yet: the row is in DEFAULT')

  const made = await manager.create(search, day)
  t.match(made, { name, moved: 1 }, 'created with the stray row moved in')
  const where = await sql<{ p: string }>`select tableoid::regclass::text as p from search_events where request_id = ${rid}`.execute(app.db)
  t.equal(where.rows[0]?.p, name)

  const result = await manager.run(now)
  t.ok(result.expired >= 1, 'past-retention rows deleted from DEFAULT')
  t.equal((await sql`select 1 from search_events where request_id = ${expiredRid}`.execute(app.db)).rows.length, 0)
})

t.test('the login role changes no table itself: partitions come from the owner\'s two functions, which take nothing else', async (t) => {
  const code = (q: Promise<unknown>) => q.then(() => 'ok', (e: unknown) => (e as { code?: string }).code)
  const me = await sql<{ u: string }>`select current_user as u`.execute(app.db)
  t.equal(me.rows[0]?.u, 'sunbae_tracking', 'the app runs as its login role')
  const today = partitionName('access_log', unitStart(Date.now(), 'day'), 'day')
  t.equal(await code(sql`drop table ${sql.table(today)}`.execute(app.db)), '42501', 'DROP TABLE refused')
  t.equal(await code(sql`alter table access_log detach partition ${sql.table(today)}`.execute(app.db)), '42501', 'ALTER TABLE refused')
  t.equal(await code(sql`create table access_log_p20990101 partition of access_log for values from ('2099-01-01') to ('2099-01-02')`.execute(app.db)), '42501', 'CREATE TABLE refused')
  const owners = await sql<{ owner: string }>`
    select distinct pg_get_userbyid(c.relowner) as owner from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'access_log'::regclass`.execute(app.db)
  t.same(owners.rows, [{ owner: 'sunbae_tracking_owner' }], 'partitions made at runtime belong to the owner role')

  const bad = '22023'
  t.equal(await code(sql`select drop_time_partition('access_log', 'access_log_default')`.execute(app.db)), bad, 'DEFAULT is not droppable')
  t.equal(await code(sql`select drop_time_partition('access_log', 'hidden_terms')`.execute(app.db)), bad, 'nor another table')
  t.equal(await code(sql`select drop_time_partition('search_events', ${today})`.execute(app.db)), bad, "nor another parent's partition")
  t.equal(await code(sql`select create_time_partition('hidden_terms', 'hidden_terms_p20990101', '2099-01-01', '2099-01-02')`.execute(app.db)), bad, 'only partitioned tables')
  t.equal(await code(sql`select create_time_partition('access_log', 'access_log_x', '2099-01-01', '2099-01-02')`.execute(app.db)), bad, 'only dated names')
  t.equal(await code(sql`select create_time_partition('access_log', 'access_log_p20990101', '2099-01-02', '2099-01-01')`.execute(app.db)), bad, 'only a non-empty range')
  t.ok((await partitionsOf('access_log')).includes(today), "today's partition is still there")
})

t.test('an event older than the retention is not ingested', async (t) => {
  const user = `ancient-${uniq()}`
  const marker = accessEvent({ user })
  await publishCore(bus, TELEMETRY_SUBJECTS.accessLog, [accessEvent({ user, requestedAt: new Date(Date.now() - 40 * DAY).toISOString() }), marker])
  await waitFor(async () => (await app.inject({ url: `/api/admin/tracking/requests?user=${user}`, headers: admin() })).json().items.length >= 1, 15_000)
  const rows = await sql<{ n: string }>`select count(*) as n from access_log where user_id = ${user}`.execute(app.db)
  t.equal(Number(rows.rows[0]!.n), 1, 'only the recent one')
})
