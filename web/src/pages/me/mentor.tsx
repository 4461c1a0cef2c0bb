// The mentor side of my page: request inbox (accept / decline with a reason), profile edit, settings (capacity, time zone, weekly time windows).
import { Button, Card, Col, Flex, Form, Input, InputNumber, Modal, Row, Select, Space, Table, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { LANGUAGE_CODES, MATCHING_LIMITS, PROFILE_LIMITS, type ChatRequest, type MentorProfilePatch, type MentorSettings, type MyMentorProfile, type TimeWindow } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { normaliseWindows, validateWindows, windowErrorsFrom } from '../../lib/time-windows.ts'
import { myMentorProfile, patchMyMentorProfile } from '../../services/catalog.ts'
import { acceptRequest, declineRequest, getMentorSettings, listRequests, putMentorSettings } from '../../services/matching.ts'
import { stateTag } from './mentee.tsx'
import { PhotoEditor } from './photo.tsx'
import { ScheduleFieldsRow } from './time-windows.tsx'

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

interface SettingsForm {
  capacity: number | null
  timezone: string
  timeWindows: TimeWindow[]
}

/** Capacity, time zone and the weekly windows recommendations match mentees against. */
function SettingsEdit({ settings: s }: { settings: MentorSettings }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<SettingsForm>()
  const timezone = Form.useWatch('timezone', form) ?? s.timezone
  const [windowErrors, setWindowErrors] = useState<Map<number, string>>(new Map())
  const save = useMutation({
    mutationFn: putMentorSettings,
    onSuccess: (next) => {
      qc.setQueryData(['mentor-settings'], next)
      fb.success(t.saved)
    },
    onError: (err) => {
      setWindowErrors(windowErrorsFrom(err))
      fb.error(err)
    },
  })
  const onFinish = (v: SettingsForm) => {
    // the rows already show what is wrong
    if (validateWindows(v.timeWindows ?? []).length) return
    const timeWindows = normaliseWindows(v.timeWindows ?? [])
    form.setFieldValue('timeWindows', timeWindows)
    save.mutate({ ...(v.capacity != null ? { capacity: v.capacity } : {}), timeWindows, timezone: v.timezone || s.timezone })
  }
  return (
    <Form form={form} layout="vertical" name="capacity" initialValues={{ capacity: s.capacity, timezone: s.timezone, timeWindows: s.timeWindows }} onFinish={onFinish}
      onValuesChange={() => windowErrors.size && setWindowErrors(new Map())}>
      <Typography.Paragraph>{t.activeMentees(s.activeMentees)}{s.full && <> · <Typography.Text type="warning">{t.full}</Typography.Text></>}</Typography.Paragraph>
      <ScheduleFieldsRow zoneMd={10} windowsLabel={t.mentoringTimes} timezone={timezone} windowErrors={windowErrors} saving={save.isPending}>
        <Col xs={24} md={8}>
          <Form.Item label={t.capacity} name="capacity" extra={t.capacityHint}>
            <InputNumber min={1} max={MATCHING_LIMITS.maxCapacity} />
          </Form.Item>
        </Col>
      </ScheduleFieldsRow>
    </Form>
  )
}

export function CapacityCard() {
  const { t } = useI18n()
  const settings = useQuery({ queryKey: ['mentor-settings'], queryFn: getMentorSettings })
  return (
    <Card title={t.mentorSettings}>
      <QueryView query={settings}>{(s) => <SettingsEdit settings={s} />}</QueryView>
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
  return (
    <Card title={t.mentorProfile}>
      <QueryView query={profile}>{(p) => <><PhotoEditor profile={p} /><ProfileEdit profile={p} /></>}</QueryView>
    </Card>
  )
}
