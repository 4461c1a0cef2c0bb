// The mentor page's antd parts, a chunk of their own (show.tsx draws the profile without antd): booking
// a session, writing a review, the reviews, and the "request 1:1 chat" dialog — each with antd's theme
// and locale and antd's App (the message holder useFeedback shows results with), as Feedback.tsx gives
// the other pages.
import { App as AntApp, Card, Flex, Form, Input, Modal, Rate, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { MATCHING_LIMITS } from '@sunbae/contracts'
import { AntdConfig } from '../../components/AntdConfig.tsx'
import { BookSession } from '../../components/BookSession.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { ItemList } from '../../components/ItemList.tsx'
import { QueryView } from '../../components/States.tsx'
import { VerifyRequired } from '../../components/VerifyRequired.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { isEmailUnverified } from '../../lib/errors.ts'
import { getReviews } from '../../services/catalog.ts'
import { createRequest } from '../../services/matching.ts'
import { WriteReview } from './review.tsx'

function Antd({ children }: { children: ReactNode }) {
  return (
    <AntdConfig>
      <AntApp component={false}>{children}</AntApp>
    </AntdConfig>
  )
}

function RequestChatForm({ mentorId, onClose }: { mentorId: string; onClose: () => void }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  // open on mount; closed by the dialog's own animation before show.tsx unmounts it
  const [open, setOpen] = useState(true)
  const [form] = Form.useForm<{ message: string }>()
  const send = useMutation({
    mutationFn: (message: string) => createRequest(mentorId, message),
    onSuccess: () => {
      fb.success(t.requestSent)
      setOpen(false)
      void qc.invalidateQueries({ queryKey: ['requests'] })
    },
    // an unverified address is said in the dialog, with the way to verify, the message kept
    onError: (err) => (isEmailUnverified(err) ? undefined : fb.error(err)),
  })
  return (
    <Modal open={open} title={t.requestChat} onCancel={() => setOpen(false)} afterClose={onClose} okText={t.submit} cancelText={t.cancel} onOk={() => form.submit()} confirmLoading={send.isPending} destroyOnHidden>
      {isEmailUnverified(send.error) ? <div style={{ marginBottom: 16 }}><VerifyRequired /></div> : null}
      <Form form={form} layout="vertical" onFinish={(v) => send.mutate(v.message.trim())} name="request-chat">
        <Form.Item label={t.requestMessage} name="message" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input.TextArea rows={4} maxLength={MATCHING_LIMITS.message} showCount placeholder={t.requestMessageHint} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** The request dialog, open from its first render; `onClose` once it has closed. */
export function RequestChatDialog(props: { mentorId: string; onClose: () => void }) {
  return <Antd><RequestChatForm {...props} /></Antd>
}

function Reviews({ mentorId }: { mentorId: string }) {
  const { t, lang } = useI18n()
  const [page, setPage] = useState(1)
  const reviews = useQuery({ queryKey: ['reviews', mentorId, page], queryFn: () => getReviews(mentorId, page) })
  return (
    <Card title={t.recentReviews}>
      <QueryView query={reviews} isEmpty={(d) => d.items.length === 0} empty={t.noReviews}>
        {(d) => (
          <ItemList
            items={d.items}
            itemKey={(r) => r.id}
            page={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage }}
            render={(r) => (
                <Flex vertical gap={2}>
                  <Flex gap={8} align="center">
                    <Rate disabled value={r.rating} style={{ fontSize: 14 }} />
                    <Typography.Text strong>{r.authorName ?? '—'}</Typography.Text>
                    <Typography.Text type="secondary">{new Date(r.createdAt).toLocaleDateString(lang)}</Typography.Text>
                  </Flex>
                  <Typography.Paragraph style={{ marginBottom: 0 }}>{r.comment}</Typography.Paragraph>
                </Flex>
            )}
          />
        )}
      </QueryView>
    </Card>
  )
}

/** Booking alone, its slots open: a signed-out visitor asked for the times on the plain card (public.tsx). */
export function BookSessionOpen({ mentorId }: { mentorId: string }) {
  return <Antd><BookSession mentorId={mentorId} initiallyOpen /></Antd>
}

/** Booking, the review form and the reviews, under the profile's details, for a signed-in visitor. */
export default function MentorExtras({ mentorId }: { mentorId: string }) {
  return (
    <Antd>
      <Flex vertical gap={16}>
        <BookSession mentorId={mentorId} />
        <WriteReview mentorId={mentorId} />
        <Reviews mentorId={mentorId} />
      </Flex>
    </Antd>
  )
}
