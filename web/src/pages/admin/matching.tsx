// Admin: 1:1 chat requests and matches — each by state, mentor and mentee, created in the page's time
// range (kept in the URL), paged by the API; an active match can be ended with a reason.
import { Button, Flex, Form, Input, Modal, Segmented, Select, Table, Tag, Typography } from 'antd'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { MATCH_STATES, MATCHING_LIMITS, REQUEST_STATES, type ChatRequest, type Match } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { TimeRangePicker } from '../../components/TimeRange.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { useTimeRange } from '../../lib/time-range.ts'
import { adminChatRequests, adminEndMatch, adminMatches } from '../../services/admin-ops.ts'

const PAGE_SIZE = 20
const FALLBACK = '30d'
type Kind = 'requests' | 'matches'

export default function MatchingAdmin() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const { bounds, key } = useTimeRange(FALLBACK)
  const [kind, setKind] = useState<Kind>('requests')
  const [state, setState] = useState<string>('all')
  const [who, setWho] = useState<{ mentorUid?: string; menteeUid?: string }>({})
  const [page, setPage] = useState(1)
  const [ending, setEnding] = useState<Match | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const q = { ...bounds, ...who, page, pageSize: PAGE_SIZE }
  const requests = useQuery({
    queryKey: ['admin-requests', key, state, who, page],
    queryFn: () => adminChatRequests({ ...q, state: state === 'all' ? undefined : (state as ChatRequest['state']) }),
    enabled: kind === 'requests',
    placeholderData: keepPreviousData,
  })
  const matches = useQuery({
    queryKey: ['admin-matches', key, state, who, page],
    queryFn: () => adminMatches({ ...q, state: state === 'all' ? undefined : (state as Match['state']) }),
    enabled: kind === 'matches',
    placeholderData: keepPreviousData,
  })
  const end = useMutation({
    mutationFn: (v: { m: Match; reason: string }) => adminEndMatch(v.m.id, v.reason),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['admin-matches'] })
      setEnding(null)
      form.resetFields()
      fb.success(t.matchEnded)
    },
    onError: fb.error,
  })
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(lang) : '—')
  const person = (p: { uid: string; displayName: string | null }) => (
    <Flex vertical><span>{p.displayName ?? '—'}</span><Typography.Text type="secondary" style={{ fontSize: 12 }} copyable>{p.uid}</Typography.Text></Flex>
  )
  const states = kind === 'requests' ? REQUEST_STATES.map((s) => ({ value: s, label: t.requestStates[s] ?? s })) : MATCH_STATES.map((s) => ({ value: s, label: t.matchStates[s] ?? s }))
  const pagination = (total: number) => ({ current: page, pageSize: PAGE_SIZE, total, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false })
  return (
    <Flex vertical gap={12}>
      <TimeRangePicker fallback={FALLBACK} />
      <Flex wrap gap={8}>
        <Segmented<Kind> aria-label={t.adminMatching} value={kind} onChange={(v) => { setKind(v); setState('all'); setPage(1) }}
          options={[{ value: 'requests', label: t.chatRequests }, { value: 'matches', label: t.matches }]} />
        <Select<string> aria-label={t.bookingState} style={{ minWidth: 140 }} value={state} onChange={(v) => { setState(v); setPage(1) }}
          options={[{ value: 'all', label: t.allStates }, ...states]} />
        <Form layout="inline" name="admin-matching-filter" onFinish={(v: { mentorUid?: string; menteeUid?: string }) => {
          setWho(Object.fromEntries(Object.entries(v).filter(([, x]) => x && x.trim()).map(([k, x]) => [k, x!.trim()])))
          setPage(1)
        }}>
          <Form.Item label={t.filterMentorUid} name="mentorUid"><Input style={{ width: 200 }} /></Form.Item>
          <Form.Item label={t.filterMenteeUid} name="menteeUid"><Input style={{ width: 200 }} /></Form.Item>
          <Button htmlType="submit">{t.filterApply}</Button>
        </Form>
      </Flex>
      {kind === 'requests' ? (
        <QueryView query={requests} isEmpty={(d) => d.items.length === 0}>
          {(d) => (
            <Table<ChatRequest> rowKey="id" size="small" scroll={{ x: 'max-content' }} dataSource={d.items} data-testid="admin-requests" pagination={pagination(d.total)}
              columns={[
                { title: t.occurredAt, key: 'at', render: (_, r) => when(r.createdAt) },
                { title: t.bookingState, key: 'state', render: (_, r) => <Tag>{t.requestStates[r.state] ?? r.state}</Tag> },
                { title: t.filterMentorUid, key: 'mentor', render: (_, r) => person(r.mentor) },
                { title: t.filterMenteeUid, key: 'mentee', render: (_, r) => person(r.mentee) },
                { title: t.message, dataIndex: 'message', ellipsis: true },
                { title: t.reason, key: 'reason', render: (_, r) => r.reason ?? '—' },
              ]} />
          )}
        </QueryView>
      ) : (
        <QueryView query={matches} isEmpty={(d) => d.items.length === 0}>
          {(d) => (
            <Table<Match> rowKey="id" size="small" scroll={{ x: 'max-content' }} dataSource={d.items} data-testid="admin-matches" pagination={pagination(d.total)}
              columns={[
                { title: t.occurredAt, key: 'at', render: (_, m) => when(m.createdAt) },
                { title: t.bookingState, key: 'state', render: (_, m) => <Tag color={m.state === 'active' ? 'green' : undefined}>{t.matchStates[m.state] ?? m.state}</Tag> },
                { title: t.filterMentorUid, key: 'mentor', render: (_, m) => person(m.mentor) },
                { title: t.filterMenteeUid, key: 'mentee', render: (_, m) => person(m.mentee) },
                { title: t.endedBy, key: 'ended', render: (_, m) => (m.endedAt ? `${when(m.endedAt)} · ${t.historyBy[m.endedBy ?? ''] ?? '—'}${m.endReason ? ` · ${m.endReason}` : ''}` : '—') },
                { title: '', key: 'end', render: (_, m) => (m.state === 'active' ? <Button size="small" danger onClick={() => setEnding(m)}>{t.endMatch}</Button> : null) },
              ]} />
          )}
        </QueryView>
      )}
      <Modal open={!!ending} title={t.endMatch} onCancel={() => setEnding(null)} onOk={() => form.submit()} okText={t.endMatch} okButtonProps={{ danger: true }}
        cancelText={t.cancel} confirmLoading={end.isPending} destroyOnHidden>
        {ending && <Typography.Paragraph type="secondary">{ending.mentor.displayName ?? ending.mentor.uid} — {ending.mentee.displayName ?? ending.mentee.uid}</Typography.Paragraph>}
        <Form form={form} layout="vertical" name="admin-end-match" onFinish={(v) => ending && end.mutate({ m: ending, reason: v.reason.trim() })}>
          <Form.Item label={t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={3} maxLength={MATCHING_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  )
}
