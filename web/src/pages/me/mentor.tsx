// The mentor side of my page: request inbox (accept / decline with a reason), profile edit, capacity.
import { Button, Card, Col, Flex, Form, Input, InputNumber, Modal, Row, Select, Space, Table, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { LANGUAGE_CODES, MATCHING_LIMITS, PROFILE_LIMITS, type ChatRequest, type MentorProfilePatch, type MyMentorProfile } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { myMentorProfile, patchMyMentorProfile } from '../../services/catalog.ts'
import { acceptRequest, declineRequest, getMentorSettings, listRequests, putMentorSettings } from '../../services/matching.ts'
import { stateTag } from './mentee.tsx'

export function InboxCard() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const [declining, setDeclining] = useState<ChatRequest | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const inbox = useQuery({ queryKey: ['requests', 'inbox', page], queryFn: () => listRequests('inbox', page) })
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['requests'] })
    void qc.invalidateQueries({ queryKey: ['matches'] })
    void qc.invalidateQueries({ queryKey: ['mentor-settings'] })
  }
  const accept = useMutation({ mutationFn: acceptRequest, onSuccess: done, onError: fb.error })
  const decline = useMutation({
    mutationFn: (v: { id: string; reason: string }) => declineRequest(v.id, v.reason),
    onSuccess: () => {
      setDeclining(null)
      form.resetFields()
      done()
    },
    onError: fb.error,
  })
  return (
    <Card title={t.inbox}>
      <QueryView query={inbox} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<ChatRequest>
            rowKey="id"
            size="small"
            scroll={{ x: true }}
            dataSource={d.items}
            data-testid="inbox"
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            columns={[
              { title: t.mentee, key: 'mentee', render: (_, r) => r.mentee.displayName ?? r.mentee.uid },
              { title: t.message, dataIndex: 'message', render: (m: string) => <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{m}</Typography.Paragraph> },
              { title: t.status, key: 'state', render: (_, r) => stateTag(t, r.state) },
              { title: t.createdAt, key: 'created', render: (_, r) => new Date(r.createdAt).toLocaleString(lang) },
              { title: t.actions, key: 'actions', render: (_, r) => r.state === 'pending' && (
                <Space>
                  <Button size="small" type="primary" loading={accept.isPending && accept.variables === r.id} onClick={() => accept.mutate(r.id)}>{t.accept}</Button>
                  <Button size="small" danger onClick={() => setDeclining(r)}>{t.decline}</Button>
                </Space>
              ) },
            ]}
          />
        )}
      </QueryView>
      <Modal open={!!declining} title={t.decline} onCancel={() => setDeclining(null)} onOk={() => form.submit()} okText={t.decline} cancelText={t.cancel} confirmLoading={decline.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" name="decline" onFinish={(v) => declining && decline.mutate({ id: declining.id, reason: v.reason.trim() })}>
          <Form.Item label={t.declineReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={3} maxLength={MATCHING_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  )
}

export function CapacityCard() {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const settings = useQuery({ queryKey: ['mentor-settings'], queryFn: getMentorSettings })
  const save = useMutation({
    mutationFn: putMentorSettings,
    onSuccess: (s) => {
      qc.setQueryData(['mentor-settings'], s)
      fb.success(t.saved)
    },
    onError: fb.error,
  })
  return (
    <Card title={t.capacity}>
      <QueryView query={settings}>
        {(s) => (
          <Form layout="vertical" name="capacity" initialValues={{ capacity: s.capacity }} onFinish={(v: { capacity: number | null }) =>
            save.mutate({ ...(v.capacity != null ? { capacity: v.capacity } : {}), timeWindows: s.timeWindows, timezone: s.timezone })}>
            <Typography.Paragraph>{t.activeMentees(s.activeMentees)}{s.full && <> · <Typography.Text type="warning">{t.full}</Typography.Text></>}</Typography.Paragraph>
            <Form.Item label={t.capacity} name="capacity" extra={t.capacityHint}>
              <InputNumber min={1} max={MATCHING_LIMITS.maxCapacity} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={save.isPending}>{t.save}</Button>
          </Form>
        )}
      </QueryView>
    </Card>
  )
}

export interface ProfileFields {
  headline: string
  bio: string
  skills: string[]
  company?: string | null
  yearsExperience: number
  hourlyRate: number
  languages: string[]
  timezone?: string
  links?: string[]
}

/** The fields of an application and of a profile edit (same limits, from contracts). */
export function ProfileFormItems() {
  const { t } = useI18n()
  const L = PROFILE_LIMITS
  return (
    <Row gutter={12}>
      <Col span={24}>
        <Form.Item label={t.headline} name="headline" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input maxLength={L.headline} showCount />
        </Form.Item>
      </Col>
      <Col span={24}>
        <Form.Item label={t.bio} name="bio" rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input.TextArea rows={6} maxLength={L.bio} showCount />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item label={t.skills} name="skills" rules={[{ required: true, type: 'array', min: 1, message: t.required }]}>
          <Select mode="tags" maxCount={L.skills} tokenSeparators={[',']} open={false} suffixIcon={null} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item label={t.languages} name="languages" rules={[{ required: true, type: 'array', min: 1, message: t.required }]}>
          <Select mode="multiple" maxCount={L.languages} options={LANGUAGE_CODES.map((l) => ({ value: l, label: l }))} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item label={t.company} name="company">
          <Input maxLength={L.company} />
        </Form.Item>
      </Col>
      <Col xs={12} md={4}>
        <Form.Item label={t.yearsExperience} name="yearsExperience" rules={[{ required: true, message: t.required }]}>
          <InputNumber min={0} max={L.maxYears} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item label={t.hourlyRate} name="hourlyRate" rules={[{ required: true, message: t.required }]}>
          <InputNumber min={0} max={L.maxHourlyRate} step={10000} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={6}>
        <Form.Item label={t.timezone} name="timezone">
          <Input maxLength={64} placeholder="Asia/Seoul" />
        </Form.Item>
      </Col>
      <Col span={24}>
        <Form.Item label={t.links} name="links" rules={[{ type: 'array', defaultField: { type: 'url', message: 'https://…' } }]}>
          <Select mode="tags" maxCount={L.links} open={false} suffixIcon={null} />
        </Form.Item>
      </Col>
    </Row>
  )
}

/** Turns form values into the API body: trimmed, company empty → null, unset optional fields left out. */
export function profileBody(v: ProfileFields) {
  const company = typeof v.company === 'string' && v.company.trim() ? v.company.trim() : null
  return {
    headline: v.headline.trim(),
    bio: v.bio.trim(),
    skills: v.skills.map((s) => s.trim()).filter(Boolean),
    company,
    yearsExperience: v.yearsExperience,
    hourlyRate: v.hourlyRate,
    languages: v.languages as MentorProfilePatch['languages'] & object,
    ...(v.timezone?.trim() ? { timezone: v.timezone.trim() } : {}),
    links: v.links ?? [],
  }
}

function ProfileEdit({ profile }: { profile: MyMentorProfile }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const save = useMutation({
    mutationFn: patchMyMentorProfile,
    onSuccess: (p) => {
      qc.setQueryData(['my-mentor-profile'], p)
      void qc.invalidateQueries({ queryKey: ['mentor', p.id] })
      fb.success(t.saved)
    },
    onError: fb.error,
  })
  return (
    <Form layout="vertical" name="mentor-profile" initialValues={profile} onFinish={(v: ProfileFields) => save.mutate(profileBody(v))}>
      <ProfileFormItems />
      <Flex gap={8}>
        <Button type="primary" htmlType="submit" loading={save.isPending}>{t.save}</Button>
      </Flex>
    </Form>
  )
}

export function MentorProfileCard() {
  const { t } = useI18n()
  const profile = useQuery({ queryKey: ['my-mentor-profile'], queryFn: myMentorProfile })
  return <Card title={t.mentorProfile}><QueryView query={profile}>{(p) => <ProfileEdit profile={p} />}</QueryView></Card>
}
