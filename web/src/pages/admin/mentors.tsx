// Admin: every mentor (GET /api/admin/mentors — search over name, headline and account email, a
// status filter, paging; the latest status change first, however long ago), suspend and reinstate,
// each with a reason for the audit trail.
import { Button, Flex, Input, Segmented, Table, Tag, Typography } from 'antd'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { AdminMentorListItem, MentorStatus } from '@sunbae/contracts'
import { ReasonDialog } from '../../components/ReasonDialog.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { listAdminMentors, reinstateMentor, suspendMentor } from '../../services/catalog.ts'

const PAGE_SIZE = 20

export default function MentorsAdmin() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [q, setQ] = useState('')
  const [status, setStatus] = useState<MentorStatus | 'all'>('all')
  const [page, setPage] = useState(1)
  const [acting, setActing] = useState<{ mentor: AdminMentorListItem; action: 'suspend' | 'reinstate' } | null>(null)
  const list = useQuery({
    queryKey: ['admin-mentors', q, status, page],
    queryFn: () => listAdminMentors({ q, status: status === 'all' ? undefined : status, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  })
  const act = useMutation({
    mutationFn: (v: { id: string; action: 'suspend' | 'reinstate'; reason: string }) =>
      v.action === 'suspend' ? suspendMentor(v.id, v.reason) : reinstateMentor(v.id, v.reason),
    onSuccess: (m, v) => {
      setActing(null)
      void qc.invalidateQueries({ queryKey: ['admin-mentors'] })
      void qc.invalidateQueries({ queryKey: ['mentor', m.id] })
      fb.success(v.action === 'suspend' ? t.mentorSuspended : t.mentorReinstated)
    },
    onError: fb.error,
  })
  return (
    <Flex vertical gap={12}>
      <Flex gap={8} wrap align="center">
        <Input.Search aria-label={t.searchAllMentors} placeholder={t.searchAllMentors} allowClear style={{ maxWidth: 420 }}
          onSearch={(v) => { setQ(v.trim()); setPage(1) }} />
        <Segmented<MentorStatus | 'all'> aria-label={t.status} value={status} onChange={(v) => { setStatus(v); setPage(1) }}
          options={[{ value: 'all', label: t.allStatuses }, { value: 'active', label: t.mentorStatus_active }, { value: 'suspended', label: t.mentorStatus_suspended }]} />
      </Flex>
      <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t.noResults}>
        {(d) => (
          <Table<AdminMentorListItem> rowKey="id" size="small" scroll={{ x: true }} dataSource={d.items} data-testid="admin-mentors"
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
            columns={[
              { title: t.mentor, key: 'name', render: (_, m) => (
                <Flex vertical>
                  {m.status === 'active' ? <Link to={`/mentors/${m.id}`}>{m.displayName}</Link> : <span>{m.displayName}</span>}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{m.email ?? '—'}</Typography.Text>
                </Flex>
              ) },
              { title: t.headline, dataIndex: 'headline', ellipsis: true },
              { title: t.status, key: 'status', render: (_, m) => <Tag color={m.status === 'active' ? 'green' : 'red'}>{t[`mentorStatus_${m.status}`]}</Tag> },
              { title: t.statusChanged, key: 'changed', render: (_, m) => (
                <Flex vertical>
                  <span>{new Date(m.statusChangedAt).toLocaleString(lang)}</span>
                  {m.statusReason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{m.statusReason}</Typography.Text>}
                </Flex>
              ) },
              { title: t.actions, key: 'actions', render: (_, m) => m.status === 'active'
                ? <Button size="small" danger onClick={() => setActing({ mentor: m, action: 'suspend' })}>{t.suspend}</Button>
                : <Button size="small" onClick={() => setActing({ mentor: m, action: 'reinstate' })}>{t.reinstate}</Button> },
            ]} />
        )}
      </QueryView>
      <ReasonDialog open={!!acting} pending={act.isPending} danger={acting?.action === 'suspend'}
        title={acting ? (acting.action === 'suspend' ? t.suspendTitle(acting.mentor.displayName) : t.reinstateConfirm(acting.mentor.displayName)) : ''}
        hint={acting?.action === 'suspend' ? t.suspendHint : undefined}
        label={acting?.action === 'suspend' ? t.suspendReason : undefined}
        okText={acting?.action === 'suspend' ? t.suspend : t.reinstate}
        onCancel={() => setActing(null)}
        onSubmit={(reason) => acting && act.mutate({ id: acting.mentor.id, action: acting.action, reason })} />
    </Flex>
  )
}
