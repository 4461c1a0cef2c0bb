// A mentor: profile, reviews (paged), and the "request 1:1 chat" action.
import { Button, Card, Col, Descriptions, Flex, Form, Input, Modal, Rate, Row, Tag, Typography } from 'antd'
import { ItemList } from '../../components/ItemList.tsx'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useLocation, useParams } from 'react-router'
import { MATCHING_LIMITS } from '@sunbae/contracts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { can } from '../../lib/access.ts'
import { getMentor, getReviews } from '../../services/catalog.ts'
import { createRequest } from '../../services/matching.ts'
import { WriteReview } from './review.tsx'
import { BookSession } from '../../components/BookSession.tsx'
import { VerifyRequired } from '../../components/VerifyRequired.tsx'
import { isEmailUnverified } from '../../lib/errors.ts'

function RequestChat({ mentorId }: { mentorId: string }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [open, setOpen] = useState(false)
  const [form] = Form.useForm<{ message: string }>()
  const send = useMutation({
    mutationFn: (message: string) => createRequest(mentorId, message),
    onSuccess: () => {
      fb.success(t.requestSent)
      setOpen(false)
      form.resetFields()
      void qc.invalidateQueries({ queryKey: ['requests'] })
    },
    // an unverified address is said in the dialog, with the way to verify, the message kept
    onError: (err) => (isEmailUnverified(err) ? undefined : fb.error(err)),
  })
  return (
    <>
      <Button type="primary" size="large" onClick={() => setOpen(true)}>{t.requestChat}</Button>
      <Modal open={open} title={t.requestChat} onCancel={() => setOpen(false)} okText={t.submit} cancelText={t.cancel} onOk={() => form.submit()} confirmLoading={send.isPending} destroyOnHidden>
        {isEmailUnverified(send.error) ? <div style={{ marginBottom: 16 }}><VerifyRequired /></div> : null}
        <Form form={form} layout="vertical" onFinish={(v) => send.mutate(v.message.trim())} name="request-chat">
          <Form.Item label={t.requestMessage} name="message" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={4} maxLength={MATCHING_LIMITS.message} showCount placeholder={t.requestMessageHint} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
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

export default function MentorShow() {
  const { id = '' } = useParams()
  const { t } = useI18n()
  const { viewer } = useAuth()
  const loc = useLocation()
  const mentor = useQuery({ queryKey: ['mentor', id], queryFn: () => getMentor(id) })
  return (
    <QueryView query={mentor}>
      {(m) => (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={14}>
            <Card>
              <Flex vertical gap={8}>
                <Typography.Title level={1} style={{ margin: 0 }}>{m.displayName}</Typography.Title>
                {/* the headline is the name's subtitle, not a section: drawn as antd's level-4 title, but a paragraph
                    (an h4 straight after the h1 skipped two levels: Lighthouse's heading-order) */}
                <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 20, fontWeight: 600, lineHeight: 1.4 }}>{m.headline}</Typography.Paragraph>
                <Flex gap={8} align="center" wrap>
                  <Rate disabled allowHalf value={Math.round(m.rating * 2) / 2} />
                  <Typography.Text>{m.rating.toFixed(1)} · {t.reviews(m.reviewCount)}</Typography.Text>
                </Flex>
                <Flex wrap gap={4}>{m.skills.map((s) => <Tag key={s}>{s}</Tag>)}</Flex>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{m.bio}</Typography.Paragraph>
                <div>
                  {can(viewer, 'requestChat') ? <RequestChat mentorId={m.id} /> : (
                    <Link to={`/login?next=${encodeURIComponent(loc.pathname)}`}><Button type="primary" size="large">{t.loginToRequest}</Button></Link>
                  )}
                </div>
              </Flex>
            </Card>
          </Col>
          <Col xs={24} lg={10}>
            <Flex vertical gap={16}>
              <Card title={t.profile}>
                <Descriptions column={1} size="small" items={[
                  { key: 'rate', label: t.hourlyRate, children: t.perHour(m.hourlyRate) },
                  { key: 'years', label: t.yearsExperience, children: m.yearsExperience },
                  ...(m.company ? [{ key: 'company', label: t.company, children: m.company }] : []),
                  { key: 'langs', label: t.languages, children: m.languages.join(', ') },
                  { key: 'tz', label: t.timezone, children: m.timezone },
                  ...(m.links.length ? [{ key: 'links', label: t.links, children: <Flex vertical>{m.links.map((l) => <a key={l} href={l} target="_blank" rel="noopener noreferrer nofollow">{l}</a>)}</Flex> }] : []),
                ]} />
              </Card>
              <BookSession mentorId={m.id} />
              <WriteReview mentorId={m.id} />
              <Reviews mentorId={m.id} />
            </Flex>
          </Col>
        </Row>
      )}
    </QueryView>
  )
}
