// Admin: reviews in the page's time range (kept in the URL), newest first — by visibility or text;
// hide / restore with a reason (a hidden review leaves the mentor page and the mentor's rating).
import { Button, Flex, Input, Rate, Segmented, Table, Tag, Typography } from 'antd'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import type { AdminReview, ReviewVisibility } from '@sunbae/contracts'
import { ReasonDialog } from '../../components/ReasonDialog.tsx'
import { TimeRangePicker } from '../../components/TimeRange.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { useTimeRange } from '../../lib/time-range.ts'
import { hideReview, listAdminReviews, restoreReview } from '../../services/catalog.ts'

const FALLBACK = '30d'

export default function ReviewsAdmin() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const { bounds, key } = useTimeRange(FALLBACK)
  const [q, setQ] = useState('')
  const [visibility, setVisibility] = useState<ReviewVisibility | 'all'>('all')
  const [page, setPage] = useState(1)
  const [acting, setActing] = useState<{ review: AdminReview; action: 'hide' | 'restore' } | null>(null)
  const list = useQuery({
    queryKey: ['admin-reviews', key, q, visibility, page],
    queryFn: () => listAdminReviews({ ...bounds, q, visibility: visibility === 'all' ? undefined : visibility, page }),
    placeholderData: keepPreviousData,
  })
  const act = useMutation({
    mutationFn: (v: { id: string; action: 'hide' | 'restore'; reason: string }) => (v.action === 'hide' ? hideReview(v.id, v.reason) : restoreReview(v.id, v.reason)),
    onSuccess: (r, v) => {
      setActing(null)
      void qc.invalidateQueries({ queryKey: ['admin-reviews'] })
      void qc.invalidateQueries({ queryKey: ['mentor', r.mentorId] })
      fb.success(v.action === 'hide' ? t.reviewHidden : t.reviewRestored)
    },
    onError: fb.error,
  })
  return (
    <Flex vertical gap={12}>
      <TimeRangePicker fallback={FALLBACK} />
      <Flex gap={8} wrap align="center">
        <Input.Search aria-label={t.searchReviews} placeholder={t.searchReviews} allowClear style={{ maxWidth: 360 }} onSearch={(v) => { setQ(v.trim()); setPage(1) }} />
        <Segmented<ReviewVisibility | 'all'> aria-label={t.status} value={visibility} onChange={(v) => { setVisibility(v); setPage(1) }}
          options={[{ value: 'all', label: t.allStatuses }, { value: 'visible', label: t.reviewVisible }, { value: 'hidden', label: t.reviewHiddenTag }]} />
      </Flex>
      <QueryView query={list} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<AdminReview> rowKey="id" size="small" scroll={{ x: true }} dataSource={d.items} data-testid="admin-reviews"
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
            columns={[
              { title: t.mentor, key: 'mentor', render: (_, r) => <Link to={`/mentors/${r.mentorId}`}>{r.mentorName}</Link> },
              { title: t.reviewAuthor, key: 'author', render: (_, r) => r.authorName ?? '—' },
              { title: t.rating, key: 'rating', render: (_, r) => <Rate disabled value={r.rating} style={{ fontSize: 12 }} /> },
              { title: t.reviewComment, dataIndex: 'comment', ellipsis: true },
              { title: t.createdAt, key: 'created', render: (_, r) => new Date(r.createdAt).toLocaleString(lang) },
              { title: t.status, key: 'visibility', render: (_, r) => (
                <Flex vertical>
                  <Tag color={r.visibility === 'visible' ? 'green' : 'red'} style={{ width: 'fit-content' }}>{r.visibility === 'visible' ? t.reviewVisible : t.reviewHiddenTag}</Tag>
                  {r.hiddenReason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.hiddenReason}</Typography.Text>}
                </Flex>
              ) },
              { title: t.actions, key: 'actions', render: (_, r) => r.visibility === 'visible'
                ? <Button size="small" danger onClick={() => setActing({ review: r, action: 'hide' })}>{t.hideReview}</Button>
                : <Button size="small" onClick={() => setActing({ review: r, action: 'restore' })}>{t.restoreReview}</Button> },
            ]} />
        )}
      </QueryView>
      <ReasonDialog open={!!acting} pending={act.isPending} danger={acting?.action === 'hide'}
        title={acting?.action === 'hide' ? t.hideReviewTitle : t.restoreReviewTitle}
        hint={acting?.action === 'hide' ? t.hideReviewHint : undefined}
        okText={acting?.action === 'hide' ? t.hideReview : t.restoreReview}
        onCancel={() => setActing(null)}
        onSubmit={(reason) => acting && act.mutate({ id: acting.review.id, action: acting.action, reason })} />
    </Flex>
  )
}
