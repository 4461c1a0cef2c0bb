// Admin: tracking dashboards over the page's time range (kept in the URL, shared by every tab; at
// most the 31 days tracking answers for) — requests / latency / error rate per time
// bucket (all routes together or one route), top and zero-result keywords, audit trail, errors,
// slow queries (an error group opens its detail: stack, recent occurrences). Each tab is its own query so a slow one never holds up the others.
import { Button, Card, Col, Descriptions, Drawer, Flex, Form, Grid, Input, Row, Segmented, Select, Table, Tag, Typography } from 'antd'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useMemo, useState } from 'react'
import { TRACKING_LIMITS, type AccessLogEntry, type AuditEntry, type ErrorGroup, type KeywordStat, type RouteStats, type SlowQueryGroup, type StatsBucket, type ZeroResultKeyword } from '@sunbae/contracts'
import { QueryView } from '../../components/States.tsx'
import { TimeRangePicker } from '../../components/TimeRange.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { useTimeRange } from '../../lib/time-range.ts'
import { accessLog, auditTrail, errorDetail, errorGroups, keywordStats, routeStats, slowQueries, zeroResultKeywords, type Window } from '../../services/tracking.ts'

/** recharts only when the traffic tab draws (its own chunk) */
const RouteChart = lazy(() => import('./route-chart.tsx'))

const MAX_WINDOW_MS = TRACKING_LIMITS.maxWindowDays * 86_400_000

/**
 * The page's range as tracking takes it: a range wider than tracking answers for (90 days) keeps its
 * end and starts maxWindowDays before it, and says so.
 */
function useTrackingWindow(): { window: Window; key: string; clamped: boolean } {
  const { bounds, key } = useTimeRange()
  return useMemo(() => {
    const to = Date.parse(bounds.to)
    const clamped = to - Date.parse(bounds.from) > MAX_WINDOW_MS
    // a minute inside the limit: the API measures the window at its own clock
    return { window: clamped ? { from: new Date(to - MAX_WINDOW_MS + 60_000).toISOString(), to: bounds.to } : bounds, key, clamped }
  }, [bounds, key])
}

/** The range control above a dashboard, and a note when tracking's window limit cut it. */
function RangeBar({ clamped }: { clamped: boolean }) {
  const { t } = useI18n()
  return (
    <Flex vertical gap={4}>
      <TimeRangePicker />
      {clamped && <Typography.Text type="warning">{t.trackingWindowClamped(TRACKING_LIMITS.maxWindowDays)}</Typography.Text>}
    </Flex>
  )
}

/** A bucket that keeps a chart readable: hours up to a week (≤ 192 points), then 6 hours (≤ 124). */
const bucketFor = (w: Window): StatsBucket => ((Date.parse(w.to) - Date.parse(w.from)) / 3_600_000 <= 24 * 8 ? '1h' : '6h')

const time = (iso: string, lang: string) => new Date(iso).toLocaleString(lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/** Sums the per-route rows into one point per bucket (count-weighted latency, worst p95). */
function byBucket(rows: RouteStats[]) {
  const m = new Map<string, { bucket: string; count: number; serverErrors: number; p50w: number; p95: number }>()
  for (const r of rows) {
    const b = m.get(r.bucketStart) ?? { bucket: r.bucketStart, count: 0, serverErrors: 0, p50w: 0, p95: 0 }
    b.count += r.count
    b.serverErrors += r.serverErrors
    b.p50w += r.p50Ms * r.count
    b.p95 = Math.max(b.p95, r.p95Ms)
    m.set(r.bucketStart, b)
  }
  return [...m.values()]
    .sort((a, b) => a.bucket.localeCompare(b.bucket))
    .map((b) => ({ bucket: b.bucket, count: b.count, errorRate: b.count ? (b.serverErrors / b.count) * 100 : 0, p50: b.count ? b.p50w / b.count : 0, p95: b.p95 }))
}

function Charts() {
  const { t, lang } = useI18n()
  const { window, key, clamped } = useTrackingWindow()
  const [chosen, setBucket] = useState<StatsBucket | undefined>()
  const bucket = chosen ?? bucketFor(window)
  const [route, setRoute] = useState<string | undefined>()
  const stats = useQuery({ queryKey: ['stats', key, bucket, route], queryFn: () => routeStats(bucket, route, window), placeholderData: keepPreviousData })
  const routes = useMemo(() => [...new Set((stats.data?.items ?? []).map((r) => r.route))].sort(), [stats.data])
  const points = useMemo(() => byBucket(stats.data?.items ?? []).map((p) => ({ ...p, label: time(p.bucket, lang) })), [stats.data, lang])
  return (
    <Flex vertical gap={12}>
      <RangeBar clamped={clamped} />
      <Flex gap={8} wrap>
        <Segmented<StatsBucket> aria-label="bucket" value={bucket} onChange={setBucket} options={['5m', '15m', '1h', '6h']} />
        <Select aria-label={t.route} allowClear placeholder={t.route} style={{ minWidth: 220 }} value={route} onChange={setRoute} options={routes.map((r) => ({ value: r, label: r }))} />
      </Flex>
      <QueryView query={stats} isEmpty={(d) => d.items.length === 0}>
        {() => (
          <Row gutter={[12, 12]}>
            {([
              ['requests', t.requests, [['count', '#1677ff']]],
              ['latency', t.latency, [['p50', '#52c41a'], ['p95', '#fa8c16']]],
              ['errors', `${t.errorRate} (%)`, [['errorRate', '#f5222d']]],
            ] as const).map(([key, title, lines]) => (
              <Col key={key} xs={24} lg={8}>
                <Card size="small" title={title}>
                  <div style={{ width: '100%', height: 220 }} data-testid={`chart-${key}`}>
                    <Suspense fallback={null}>
                      <RouteChart points={points} lines={lines} />
                    </Suspense>
                  </div>
                </Card>
              </Col>
            ))}
          </Row>
        )}
      </QueryView>
    </Flex>
  )
}

function Keywords() {
  const { t, lang } = useI18n()
  const [sort, setSort] = useState<'count' | 'growth'>('count')
  const [page, setPage] = useState(1)
  const [zpage, setZpage] = useState(1)
  const { window, key, clamped } = useTrackingWindow()
  const top = useQuery({ queryKey: ['kw', key, sort, page], queryFn: () => keywordStats(sort, page, window) })
  const zero = useQuery({ queryKey: ['kw-zero', key, zpage], queryFn: () => zeroResultKeywords(zpage, window) })
  const trendColor = { new: 'purple', up: 'green', down: 'red', flat: 'default' } as const
  return (
    <Flex vertical gap={12}>
    <RangeBar clamped={clamped} />
    <Row gutter={[12, 12]}>
      <Col xs={24} lg={14}>
        <Card size="small" title={t.topKeywords} extra={<Segmented size="small" value={sort} onChange={(v) => { setSort(v as 'count' | 'growth'); setPage(1) }} options={[{ value: 'count', label: t.count }, { value: 'growth', label: t.trend }]} />}>
          <QueryView query={top} isEmpty={(d) => d.items.length === 0}>
            {(d) => (
              <Table<KeywordStat> rowKey="keyword" size="small" dataSource={d.items} data-testid="top-keywords"
                pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
                columns={[
                  { title: t.keyword, dataIndex: 'keyword' },
                  { title: t.count, dataIndex: 'count' },
                  { title: t.users, dataIndex: 'users' },
                  { title: t.trend, key: 'trend', render: (_, k) => <Tag color={trendColor[k.trend]}>{k.trend}{k.growth != null ? ` ${Math.round(k.growth * 100)}%` : ''}</Tag> },
                ]} />
            )}
          </QueryView>
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card size="small" title={t.zeroResults}>
          <QueryView query={zero} isEmpty={(d) => d.items.length === 0}>
            {(d) => (
              <Table<ZeroResultKeyword> rowKey="query" size="small" dataSource={d.items}
                pagination={{ current: zpage, pageSize: d.pageSize, total: d.total, onChange: setZpage, hideOnSinglePage: true }}
                columns={[
                  { title: t.keyword, dataIndex: 'query' },
                  { title: t.count, dataIndex: 'count' },
                  { title: t.lastSeen, key: 'last', render: (_, z) => time(z.lastSearchedAt, lang) },
                ]} />
            )}
          </QueryView>
        </Card>
      </Col>
    </Row>
    </Flex>
  )
}

function Audit() {
  const { t, lang } = useI18n()
  const [filter, setFilter] = useState<{ entityType?: string; entityId?: string; actor?: string; type?: string }>({})
  const [cursors, setCursors] = useState<string[]>([])
  const cursor = cursors.at(-1)
  const { window, key, clamped } = useTrackingWindow()
  const audit = useQuery({ queryKey: ['audit', key, filter, cursor], queryFn: () => auditTrail({ ...filter, ...(cursor ? { cursor } : {}) }, window) })
  const clean = (v: Record<string, string | undefined>) => Object.fromEntries(Object.entries(v).filter(([, x]) => x && x.trim()).map(([k, x]) => [k, x!.trim()]))
  return (
    <Flex vertical gap={12}>
      <RangeBar clamped={clamped} />
      <Form layout="inline" name="audit-filter" onFinish={(v) => { setFilter(clean(v)); setCursors([]) }}>
        <Form.Item label={t.entity} name="entityType"><Input placeholder="mentor" style={{ width: 140 }} /></Form.Item>
        <Form.Item label="ID" name="entityId"><Input style={{ width: 200 }} /></Form.Item>
        <Form.Item label={t.actor} name="actor"><Input placeholder="uid" style={{ width: 160 }} /></Form.Item>
        <Form.Item label={t.type} name="type"><Input placeholder="catalog." style={{ width: 160 }} /></Form.Item>
        <Button htmlType="submit">{t.searchButton}</Button>
      </Form>
      <QueryView query={audit} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <>
            <Table<AuditEntry> rowKey="eventId" size="small" scroll={{ x: true }} dataSource={d.items} pagination={false}
              expandable={{ expandedRowRender: (e) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify(e.payload, null, 2)}</pre> }}
              columns={[
                { title: t.occurredAt, key: 'at', render: (_, e) => time(e.occurredAt, lang) },
                { title: t.type, dataIndex: 'type' },
                { title: t.actor, key: 'actor', render: (_, e) => `${e.actor.type}${e.actor.role ? ` (${e.actor.role})` : ''} ${e.actor.id ?? ''}` },
                { title: t.entity, key: 'entity', render: (_, e) => `${e.entity.type} ${e.entity.id ?? ''}` },
                { title: t.service, dataIndex: 'source' },
              ]} />
            <Flex gap={8}>
              <Button aria-label="previous page" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>←</Button>
              <Button aria-label="next page" disabled={!d.nextCursor} onClick={() => d.nextCursor && setCursors((c) => [...c, d.nextCursor!])}>→</Button>
            </Flex>
          </>
        )}
      </QueryView>
    </Flex>
  )
}

function Requests() {
  const { t, lang } = useI18n()
  const [filter, setFilter] = useState<{ path?: string; method?: string; statusClass?: string; user?: string }>({})
  const [cursors, setCursors] = useState<string[]>([])
  const cursor = cursors.at(-1)
  const { window, key, clamped } = useTrackingWindow()
  const log = useQuery({ queryKey: ['access-log', key, filter, cursor], queryFn: () => accessLog({ ...filter, ...(cursor ? { cursor } : {}) }, window) })
  return (
    <Flex vertical gap={12}>
      <RangeBar clamped={clamped} />
      <Form layout="inline" name="access-log-filter" onFinish={(v: Record<string, string | undefined>) => {
        setFilter(Object.fromEntries(Object.entries(v).filter(([, x]) => x && x.trim()).map(([k, x]) => [k, x!.trim()])))
        setCursors([])
      }}>
        <Form.Item label={t.route} name="path"><Input placeholder="/api/mentors*" style={{ width: 200 }} /></Form.Item>
        <Form.Item label="method" name="method"><Input placeholder="GET" style={{ width: 90 }} /></Form.Item>
        <Form.Item label={t.status} name="statusClass">
          <Select allowClear style={{ width: 100 }} options={['2xx', '3xx', '4xx', '5xx'].map((c) => ({ value: c, label: c }))} />
        </Form.Item>
        <Form.Item label={t.actor} name="user"><Input placeholder="uid" style={{ width: 160 }} /></Form.Item>
        <Button htmlType="submit">{t.searchButton}</Button>
      </Form>
      <QueryView query={log} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <>
            <Table<AccessLogEntry> rowKey="id" size="small" scroll={{ x: true }} dataSource={d.items} pagination={false}
              expandable={{ expandedRowRender: (e) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify({ requestId: e.requestId, traceId: e.traceId, query: e.queryParams, body: e.body, response: e.responseBody, userAgent: e.userAgent }, null, 2)}</pre> }}
              columns={[
                { title: t.occurredAt, key: 'at', render: (_, e) => time(e.requestedAt, lang) },
                { title: 'method', dataIndex: 'method' },
                { title: t.route, dataIndex: 'path', ellipsis: true },
                { title: t.status, key: 'status', render: (_, e) => <Tag color={e.status >= 500 ? 'red' : e.status >= 400 ? 'orange' : 'green'}>{e.status}</Tag> },
                { title: 'ms', key: 'ms', render: (_, e) => e.responseMs.toFixed(0) },
                { title: t.actor, key: 'user', render: (_, e) => e.user ?? '—' },
              ]} />
            <Flex gap={8}>
              <Button aria-label="previous page" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>←</Button>
              <Button aria-label="next page" disabled={!d.nextCursor} onClick={() => d.nextCursor && setCursors((c) => [...c, d.nextCursor!])}>→</Button>
            </Flex>
          </>
        )}
      </QueryView>
    </Flex>
  )
}

/** One error group: counts, first/last seen, sample ids, the latest stack and recent occurrences. */
function ErrorGroupDetail({ fingerprint }: { fingerprint: string }) {
  const { t, lang } = useI18n()
  const detail = useQuery({ queryKey: ['error', fingerprint], queryFn: () => errorDetail(fingerprint) })
  const mono = (v: string | null) => (v ? <Typography.Text code copyable>{v}</Typography.Text> : '—')
  return (
    <QueryView query={detail}>
      {(e) => (
        <Flex vertical gap={16} data-testid="error-detail">
          <Descriptions size="small" column={1} bordered items={[
            { key: 'service', label: t.service, children: e.service },
            { key: 'route', label: t.route, children: `${e.method ?? ''} ${e.route ?? '—'}` },
            { key: 'code', label: t.code, children: <Tag color="red">{e.status} {e.code}</Tag> },
            { key: 'message', label: t.message, children: <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{e.message}</Typography.Text> },
            { key: 'count', label: t.count, children: e.count },
            { key: 'first', label: t.firstSeen, children: new Date(e.firstSeen).toLocaleString(lang) },
            { key: 'last', label: t.lastSeen, children: new Date(e.lastSeen).toLocaleString(lang) },
            { key: 'trace', label: t.sampleTrace, children: mono(e.sampleTraceId) },
            { key: 'request', label: t.sampleRequest, children: mono(e.sampleRequestId) },
            { key: 'fingerprint', label: 'fingerprint', children: mono(e.fingerprint) },
          ]} />
          <Card size="small" title={t.stack}>
            {e.stack
              ? <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontSize: 12, maxHeight: 360, overflow: 'auto' }}>{e.stack}</pre>
              : <Typography.Text type="secondary">{t.noStack}</Typography.Text>}
          </Card>
          <Card size="small" title={t.recentOccurrences}>
            <Table rowKey={(r) => `${r.occurredAt}:${r.requestId ?? ''}`} size="small" scroll={{ x: true }} dataSource={e.recent} pagination={false}
              columns={[
                { title: t.occurredAt, key: 'at', render: (_, r) => time(r.occurredAt, lang) },
                { title: t.route, key: 'route', render: (_, r) => r.route ?? '—' },
                { title: t.errRequestId, key: 'req', render: (_, r) => mono(r.requestId) },
                { title: t.traceId, key: 'trace', render: (_, r) => mono(r.traceId) },
              ]} />
          </Card>
        </Flex>
      )}
    </QueryView>
  )
}

function Errors() {
  const { t, lang } = useI18n()
  const screens = Grid.useBreakpoint()
  const [page, setPage] = useState(1)
  const [open, setOpen] = useState<string | null>(null)
  const { window, key, clamped } = useTrackingWindow()
  const errors = useQuery({ queryKey: ['errors', key, page], queryFn: () => errorGroups(page, window) })
  return (
    <>
      <RangeBar clamped={clamped} />
      <QueryView query={errors} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<ErrorGroup> rowKey="fingerprint" size="small" scroll={{ x: true }} dataSource={d.items} data-testid="error-groups"
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            columns={[
              { title: t.service, dataIndex: 'service' },
              { title: t.route, key: 'route', render: (_, e) => `${e.method ?? ''} ${e.route ?? ''}` },
              { title: t.code, key: 'code', render: (_, e) => <Tag color="red">{e.status} {e.code}</Tag> },
              { title: t.message, dataIndex: 'message', ellipsis: true },
              { title: t.count, dataIndex: 'count' },
              { title: t.firstSeen, key: 'first', render: (_, e) => time(e.firstSeen, lang) },
              { title: t.lastSeen, key: 'last', render: (_, e) => time(e.lastSeen, lang) },
              { title: t.actions, key: 'detail', render: (_, e) => <Button size="small" onClick={() => setOpen(e.fingerprint)}>{t.details}</Button> },
            ]} />
        )}
      </QueryView>
      <Drawer open={!!open} onClose={() => setOpen(null)} title={t.errorDetail} size={screens.md === false ? '100%' : 720} destroyOnHidden>
        {open && <ErrorGroupDetail fingerprint={open} />}
      </Drawer>
    </>
  )
}

function SlowQueries() {
  const { t, lang } = useI18n()
  const [sort, setSort] = useState<'count' | 'p95'>('p95')
  const [page, setPage] = useState(1)
  const { window, key, clamped } = useTrackingWindow()
  const slow = useQuery({ queryKey: ['slow', key, sort, page], queryFn: () => slowQueries(sort, page, window) })
  return (
    <Flex vertical gap={12}>
      <RangeBar clamped={clamped} />
      <Segmented aria-label={t.sort} value={sort} onChange={(v) => { setSort(v as 'count' | 'p95'); setPage(1) }} options={[{ value: 'p95', label: 'p95' }, { value: 'count', label: t.count }]} />
      <QueryView query={slow} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<SlowQueryGroup> rowKey={(q) => `${q.service}:${q.sql}`} size="small" scroll={{ x: true }} dataSource={d.items}
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            columns={[
              { title: t.service, dataIndex: 'service' },
              { title: 'SQL', dataIndex: 'sql', render: (s: string) => <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>{s}</Typography.Text> },
              { title: t.count, dataIndex: 'count' },
              { title: 'p95 ms', key: 'p95', render: (_, q) => q.p95Ms.toFixed(0) },
              { title: 'max ms', key: 'max', render: (_, q) => q.maxMs.toFixed(0) },
              { title: t.lastSeen, key: 'last', render: (_, q) => time(q.lastSeen, lang) },
            ]} />
        )}
      </QueryView>
    </Flex>
  )
}

export const TrackingRequests = Requests
export const TrackingCharts = Charts
export const TrackingKeywords = Keywords
export const TrackingAudit = Audit
export const TrackingErrors = Errors
export const TrackingSlowQueries = SlowQueries
