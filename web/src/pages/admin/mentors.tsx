// Admin: suspend a mentor (with a reason, confirmed in a dialog) and reinstate one. The catalog has no
// admin list of mentors, so active ones are found through search, suspended ones through the audit
// trail's suspension events (plus those suspended here), and any one by its id.
import { Button, Card, Flex, Form, Input, Modal, Table, Tag, Typography } from 'antd'
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { Link } from 'react-router'
import type { AdminMentor, MentorStatus } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { Loading, QueryError, QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { DEFAULT_SEARCH } from '../../lib/search-state.ts'
import { adminMentor, reinstateMentor, searchMentors, suspendMentor } from '../../services/catalog.ts'
import { mentorSuspensions } from '../../services/tracking.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Row {
  id: string
  displayName: string
  headline: string
  status: MentorStatus
  /** from the latest suspension event of the audit trail, when it has arrived there */
  suspension?: { reason: string | null; at: string } | undefined
}

/** Suspend / reinstate with their dialogs; every change lands in the ['admin-mentor', id] cache. */
function useMentorActions(onChanged: (m: AdminMentor, reason?: string) => void) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [suspending, setSuspending] = useState<Row | null>(null)
  const [reinstating, setReinstating] = useState<Row | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const [reinstateForm] = Form.useForm<{ reason: string }>()
  const changed = (m: AdminMentor, reason?: string) => {
    qc.setQueryData(['admin-mentor', m.id], m)
    void qc.invalidateQueries({ queryKey: ['admin-mentor-search'] })
    void qc.invalidateQueries({ queryKey: ['admin-suspensions'] })
    void qc.invalidateQueries({ queryKey: ['mentor', m.id] })
    onChanged(m, reason)
  }
  const suspend = useMutation({
    mutationFn: (v: { id: string; reason: string }) => suspendMentor(v.id, v.reason),
    onSuccess: (m, v) => { changed(m, v.reason); setSuspending(null); form.resetFields(); fb.success(t.mentorSuspended) },
    onError: fb.error,
  })
  const reinstate = useMutation({
    mutationFn: (v: { id: string; reason: string }) => reinstateMentor(v.id, v.reason),
    onSuccess: (m) => { changed(m); setReinstating(null); reinstateForm.resetFields(); fb.success(t.mentorReinstated) },
    onError: fb.error,
  })
  const action = (r: Row) =>
    r.status === 'active' ? (
      <Button size="small" danger onClick={() => setSuspending(r)}>{t.suspend}</Button>
    ) : (
      <Button size="small" onClick={() => setReinstating(r)}>{t.reinstate}</Button>
    )
  const dialog = (
    <>
    <Modal open={!!reinstating} title={reinstating ? t.reinstateConfirm(reinstating.displayName) : t.reinstate} onCancel={() => setReinstating(null)}
      onOk={() => reinstateForm.submit()} okText={t.reinstate} cancelText={t.cancel} confirmLoading={reinstate.isPending} destroyOnHidden>
      <Form form={reinstateForm} layout="vertical" name="reinstate-mentor" onFinish={(v) => reinstating && reinstate.mutate({ id: reinstating.id, reason: v.reason.trim() })}>
        <Form.Item label={t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input.TextArea rows={3} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
    <Modal open={!!suspending} title={suspending ? t.suspendTitle(suspending.displayName) : t.suspend} onCancel={() => setSuspending(null)}
      onOk={() => form.submit()} okText={t.suspend} okButtonProps={{ danger: true }} cancelText={t.cancel} confirmLoading={suspend.isPending} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t.suspendHint}</Typography.Paragraph>
      <Form form={form} layout="vertical" name="suspend-mentor" onFinish={(v) => suspending && suspend.mutate({ id: suspending.id, reason: v.reason.trim() })}>
        <Form.Item label={t.suspendReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input.TextArea rows={3} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
    </>
  )
  return { action, dialog }
}

function MentorTable({ rows, action, testId, suspended = false }: { rows: Row[]; action: (r: Row) => ReactNode; testId: string; suspended?: boolean }) {
  const { t, lang } = useI18n()
  return (
    <Table<Row> rowKey="id" size="small" scroll={{ x: true }} dataSource={rows} pagination={false} data-testid={testId}
      columns={[
        { title: t.mentor, key: 'name', render: (_, r) => (
          <Flex vertical>
            {r.status === 'active' ? <Link to={`/mentors/${r.id}`}>{r.displayName}</Link> : <span>{r.displayName}</span>}
            <Typography.Text type="secondary" copyable={{ text: r.id }} style={{ fontSize: 12 }}>{r.id.slice(0, 8)}…</Typography.Text>
          </Flex>
        ) },
        { title: t.headline, dataIndex: 'headline', ellipsis: true },
        { title: t.status, key: 'status', render: (_, r) => <Tag color={r.status === 'active' ? 'green' : 'red'}>{t[`mentorStatus_${r.status}`]}</Tag> },
        ...(suspended ? [{ title: t.suspendReason, key: 'reason', render: (_: unknown, r: Row) => r.suspension ? (
          <Flex vertical>
            <span>{r.suspension.reason ?? '—'}</span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{new Date(r.suspension.at).toLocaleString(lang)}</Typography.Text>
          </Flex>
        ) : '—' }] : []),
        { title: t.actions, key: 'actions', render: (_, r) => action(r) },
      ]} />
  )
}

export default function MentorsAdmin() {
  const { t } = useI18n()
  const qc = useQueryClient()
  // ids changed or looked up here: their admin state is known, whatever search and the audit trail say yet
  const [touched, setTouched] = useState<string[]>([])
  const touch = (id: string) => setTouched((ids) => (ids.includes(id) ? ids : [...ids, id]))
  // suspensions made here, until the audit trail has them (its events arrive a moment later)
  const [mine, setMine] = useState<Record<string, { reason: string; at: string }>>({})
  const { action, dialog } = useMentorActions((m, reason) => {
    touch(m.id)
    if (reason !== undefined) setMine((x) => ({ ...x, [m.id]: { reason, at: new Date().toISOString() } }))
  })
  const [q, setQ] = useState('')
  const [page, setPage] = useState(1)
  const [lookup, setLookup] = useState('')
  const [lookupError, setLookupError] = useState(false)
  const search = useQuery({ queryKey: ['admin-mentor-search', q, page], queryFn: () => searchMentors({ ...DEFAULT_SEARCH, q, page, pageSize: 10 }) })
  const suspensions = useQuery({ queryKey: ['admin-suspensions'], queryFn: () => mentorSuspensions() })
  const found = useQuery({ queryKey: ['admin-mentor', lookup], queryFn: () => adminMentor(lookup), enabled: !!lookup })
  // The admin state of a mentor this screen has loaded wins over search, whose index may lag behind a
  // suspension for a moment.
  const known = (id: string) => qc.getQueryData<AdminMentor>(['admin-mentor', id])
  const suspendedIds = [...new Set([
    ...(suspensions.data?.items ?? []).map((e) => e.entity.id).filter((id): id is string => !!id && UUID.test(id)),
    ...touched,
  ])]
  const states = useQueries({ queries: suspendedIds.map((id) => ({ queryKey: ['admin-mentor', id], queryFn: () => adminMentor(id) })) })
  const toRow = (m: { id: string; displayName: string; headline: string; status?: MentorStatus }): Row => ({
    id: m.id, displayName: m.displayName, headline: m.headline, status: known(m.id)?.status ?? m.status ?? 'active',
  })
  // the audit trail is newest first: the first event of a mentor is their current suspension
  const suspensionOf = (id: string) => {
    const e = suspensions.data?.items.find((x) => x.entity.id === id)
    const local = mine[id]
    if (local && (!e || e.occurredAt < local.at)) return local
    if (!e) return undefined
    const reason = (e.payload as { reason?: unknown } | null)?.reason
    return { reason: typeof reason === 'string' ? reason : null, at: e.occurredAt }
  }
  const suspendedRows: Row[] = states.flatMap((s) => (s.data?.status === 'suspended' ? [{ ...toRow(s.data), suspension: suspensionOf(s.data.id) }] : []))
  return (
    <Flex vertical gap={16}>
      <Card title={t.activeMentors} size="small">
        <Flex vertical gap={12}>
          <Input.Search aria-label={t.searchMentorsAdmin} placeholder={t.searchMentorsAdmin} allowClear style={{ maxWidth: 420 }} onSearch={(v) => { setQ(v.trim()); setPage(1) }} />
          <QueryView query={search} isEmpty={(d) => d.items.length === 0} empty={t.noResults}>
            {(d) => (
              <Flex vertical gap={8}>
                <MentorTable rows={d.items.map(toRow)} action={action} testId="admin-mentors" />
                {d.total > d.pageSize && (
                  <Flex gap={8} justify="center">
                    <Button aria-label="previous page" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>←</Button>
                    <Button aria-label="next page" disabled={page * d.pageSize >= d.total} onClick={() => setPage((p) => p + 1)}>→</Button>
                  </Flex>
                )}
              </Flex>
            )}
          </QueryView>
        </Flex>
      </Card>
      <Card title={t.suspendedMentors} size="small" extra={<Typography.Text type="secondary">{t.suspendedMentorsHint}</Typography.Text>}>
        {suspensions.isError ? <QueryError error={suspensions.error} onRetry={() => void suspensions.refetch()} />
          : suspendedRows.length === 0 && (suspensions.isPending || states.some((s) => s.isPending)) ? <Loading />
          : <MentorTable rows={suspendedRows} action={action} testId="suspended-mentors" suspended />}
      </Card>
      <Card title={t.lookUpMentor} size="small">
        <Flex vertical gap={12}>
          <Input.Search aria-label={t.mentorId} placeholder="00000000-0000-0000-0000-000000000000" allowClear style={{ maxWidth: 420 }} status={lookupError ? 'error' : undefined}
            onSearch={(v) => {
              const id = v.trim()
              setLookupError(!!id && !UUID.test(id))
              setLookup(UUID.test(id) ? id.toLowerCase() : '')
              if (UUID.test(id)) touch(id.toLowerCase())
            }} />
          {lookupError && <Typography.Text type="danger">UUID</Typography.Text>}
          {lookup && <QueryView query={found}>{(m) => <MentorTable rows={[toRow(m)]} action={action} testId="looked-up-mentor" />}</QueryView>}
        </Flex>
      </Card>
      {dialog}
    </Flex>
  )
}
