// "Write a review" on the mentor page: offered to a signed-in mentee with a completed session with
// this mentor (lib/reviews.ts), with the reason shown when there is none yet.
import { Alert, Button, Card, Form, Input, Modal, Rate, Select } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useLocation } from 'react-router'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { Loading, QueryError } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { ApiError } from '../../lib/errors.ts'
import { reviewState } from '../../lib/reviews.ts'
import { createReview } from '../../services/catalog.ts'
import { listPast } from '../../services/meeting.ts'

interface ReviewForm {
  bookingId: string
  rating: number
  comment?: string
}

export function WriteReview({ mentorId }: { mentorId: string }) {
  const { t, lang } = useI18n()
  const { viewer, user } = useAuth()
  const fb = useFeedback()
  const qc = useQueryClient()
  const loc = useLocation()
  const [open, setOpen] = useState(false)
  // sessions reviewed from this page (or refused as already reviewed): the API lists no "my reviews"
  const [reviewed, setReviewed] = useState<ReadonlySet<string>>(new Set())
  const [form] = Form.useForm<ReviewForm>()
  const past = useQuery({ queryKey: ['bookings', 'past', 'review'], queryFn: () => listPast(200), enabled: !!user })
  const done = (bookingId: string) => setReviewed((s) => new Set([...s, bookingId]))
  const send = useMutation({
    mutationFn: (v: ReviewForm) => createReview(mentorId, { bookingId: v.bookingId, rating: v.rating, ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}) }),
    onSuccess: (_, v) => {
      done(v.bookingId)
      setOpen(false)
      form.resetFields()
      fb.success(t.reviewSent)
      void qc.invalidateQueries({ queryKey: ['reviews', mentorId] })
      void qc.invalidateQueries({ queryKey: ['mentor', mentorId] })
    },
    onError: (err, v) => {
      if (err instanceof ApiError && err.code === 'REVIEW_EXISTS') done(v.bookingId)
      fb.error(err)
    },
  })
  if (user && past.isPending) return <Card title={t.writeReview}><Loading /></Card>
  if (user && past.isError) return <Card title={t.writeReview}><QueryError error={past.error} onRetry={() => void past.refetch()} /></Card>
  const state = reviewState(viewer, user?.uid ?? null, past.data?.items ?? [], mentorId, reviewed)
  if (state.kind === 'notAllowed') return null
  return (
    <Card title={t.writeReview} data-testid="write-review">
      {state.kind === 'signedOut' && <Link to={`/login?next=${encodeURIComponent(loc.pathname)}`}>{t.loginToReview}</Link>}
      {state.kind === 'noSession' && <Alert type="info" showIcon title={t.reviewNeedsSession} />}
      {state.kind === 'ready' && (
        <>
          <Button type="primary" onClick={() => setOpen(true)}>{t.writeReview}</Button>
          <Modal open={open} title={t.writeReview} onCancel={() => setOpen(false)} okText={t.submit} cancelText={t.cancel} onOk={() => form.submit()} confirmLoading={send.isPending} destroyOnHidden>
            <Form form={form} layout="vertical" name="review" initialValues={{ bookingId: state.sessions[0]!.id }} onFinish={(v) => send.mutate(v)}>
              <Form.Item label={t.reviewSession} name="bookingId" rules={[{ required: true, message: t.required }]}>
                <Select options={state.sessions.map((b) => ({ value: b.id, label: new Date(b.start).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' }) }))} />
              </Form.Item>
              <Form.Item label={t.rating} name="rating" rules={[{ required: true, message: t.required }]}>
                <Rate aria-label={t.rating} />
              </Form.Item>
              <Form.Item label={t.comment} name="comment">
                <Input.TextArea rows={4} maxLength={2000} showCount />
              </Form.Item>
            </Form>
          </Modal>
        </>
      )}
    </Card>
  )
}
