// The mentee side of my page: preferences, recommendations with reasons, my requests, my matches.
import { Button, Card, Col, Flex, Form, Input, InputNumber, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd'
import { ItemList } from '../../components/ItemList.tsx'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { CAREER_STAGES, MATCHING_LIMITS, type CareerStage, type ChatRequest, type Match, type Preferences, type PreferencesBody, type TimeWindow } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import type { Dict } from '../../i18n/dict.ts'
import { useI18n } from '../../i18n/index.tsx'
import { ScheduleFieldsRow } from './time-windows.tsx'
import { normaliseWindows, validateWindows, windowErrorsFrom } from '../../lib/time-windows.ts'
import { reasonView } from '../../lib/reasons.ts'
import { cancelRequest, endMatch, getPreferences, hiddenMentors, unhideMentor, getRecommendations, hideMentor, listMatches, listRequests, putPreferences } from '../../services/matching.ts'

const LANGS = ['ko', 'en', 'ja', 'zh', 'es', 'fr', 'de', 'vi']

export const stateTag = (t: Dict, state: string) => {
  const color = { pending: 'processing', accepted: 'success', active: 'success', declined: 'error', cancelled: 'default', expired: 'warning', ended: 'default' }[state]
  return <Tag color={color}>{(t as unknown as Record<string, string>)[`state_${state}`] ?? state}</Tag>
}

interface PrefForm {
  goals: string
  skills: string[]
  languages: string[]
  budgetMin: number | null
  budgetMax: number | null
  careerStage: CareerStage | null
  timezone: string
  timeWindows: TimeWindow[]
}

function PreferencesForm({ prefs }: { prefs: Preferences }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<PrefForm>()
  const timezone = Form.useWatch('timezone', form) ?? prefs.timezone
  // the server's answer about time windows, by row; gone as soon as the form changes
  const [windowErrors, setWindowErrors] = useState<Map<number, string>>(new Map())
  const save = useMutation({
    mutationFn: (body: PreferencesBody) => putPreferences(body),
    onSuccess: (p) => {
      qc.setQueryData(['preferences'], p)
      void qc.invalidateQueries({ queryKey: ['recommendations'] })
      fb.success(t.saved)
    },
    onError: (err) => {
      setWindowErrors(windowErrorsFrom(err))
      fb.error(err)
    },
  })
  const initial: PrefForm = {
    goals: prefs.goals,
    skills: prefs.skills,
    languages: prefs.languages,
    budgetMin: prefs.budget?.min ?? null,
    budgetMax: prefs.budget?.max ?? null,
    careerStage: prefs.careerStage,
    timezone: prefs.timezone,
    timeWindows: prefs.timeWindows,
  }
  const onFinish = (v: PrefForm) => {
    // the rows already show what is wrong
    if (validateWindows(v.timeWindows ?? []).length) return
    // saved as the server keeps them (sorted, overlaps merged); shown that way so its row numbers match
    const timeWindows = normaliseWindows(v.timeWindows ?? [])
    form.setFieldValue('timeWindows', timeWindows)
    save.mutate({
      goals: v.goals ?? '',
      skills: v.skills ?? [],
      languages: (v.languages ?? []) as PreferencesBody['languages'],
      budget: v.budgetMin != null && v.budgetMax != null ? { min: v.budgetMin, max: v.budgetMax } : null,
      careerStage: v.careerStage ?? null,
      timezone: v.timezone || prefs.timezone,
      timeWindows,
    })
  }
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish} name="preferences" onValuesChange={() => windowErrors.size && setWindowErrors(new Map())}>
      <Form.Item label={t.goals} name="goals">
        <Input.TextArea rows={3} maxLength={MATCHING_LIMITS.goals} placeholder={t.goalsHint} />
      </Form.Item>
      <ScheduleFieldsRow zoneMd={6} windowsLabel={t.preferredTimes} timezone={timezone} windowErrors={windowErrors} saving={save.isPending}>
        <Col xs={24} md={12}>
          <Form.Item label={t.skills} name="skills">
            <Select mode="tags" maxCount={MATCHING_LIMITS.skills} tokenSeparators={[',']} open={false} suffixIcon={null} />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={t.languages} name="languages">
            <Select mode="multiple" options={LANGS.map((l) => ({ value: l, label: l }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item label={t.budgetMin} name="budgetMin">
            <InputNumber min={0} max={MATCHING_LIMITS.maxBudget} step={10000} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item label={t.budgetMax} name="budgetMax" dependencies={['budgetMin']} rules={[({ getFieldValue }) => ({
            validator: (_, v) => (v == null || getFieldValue('budgetMin') == null || v >= getFieldValue('budgetMin') ? Promise.resolve() : Promise.reject(new Error('≥ min'))),
          })]}>
            <InputNumber min={0} max={MATCHING_LIMITS.maxBudget} step={10000} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item label={t.careerStage} name="careerStage">
            <Select allowClear options={CAREER_STAGES.map((s) => ({ value: s, label: t[`stage_${s}`] }))} />
          </Form.Item>
        </Col>
      </ScheduleFieldsRow>
    </Form>
  )
}

export function PreferencesCard() {
  const { t } = useI18n()
  const prefs = useQuery({ queryKey: ['preferences'], queryFn: getPreferences })
  return <Card title={t.preferences}><QueryView query={prefs}>{(p) => <PreferencesForm prefs={p} />}</QueryView></Card>
}

export function RecommendationsCard() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const recs = useQuery({ queryKey: ['recommendations'], queryFn: () => getRecommendations(10) })
  const hide = useMutation({
    mutationFn: hideMentor,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['recommendations'] })
      void qc.invalidateQueries({ queryKey: ['hidden-mentors'] })
    },
    onError: fb.error,
  })
  return (
    <Card title={t.recommendations}>
      <QueryView query={recs} isEmpty={(d) => d.items.length === 0} empty={t.recommendationsEmpty}>
        {(d) => (
          <ItemList
            items={d.items}
            itemKey={(r) => r.mentor.id}
            data-testid="recommendations"
            render={(r) => (
              <Flex justify="space-between" gap={8}>
                <Flex vertical gap={4} style={{ minWidth: 0 }}>
                  <Flex gap={8} wrap align="baseline">
                    <Link to={`/mentors/${r.mentor.id}`} style={{ fontWeight: 600 }}>{r.mentor.displayName}</Link>
                    <Typography.Text type="secondary">{r.mentor.headline}</Typography.Text>
                    <Tag>{t.score} {r.score.toFixed(1)}</Tag>
                  </Flex>
                  <ul style={{ margin: 0, paddingInlineStart: 18 }} data-testid="reasons">
                    {r.reasons.map((reason, i) => {
                      const view = reasonView(reason, t, lang)
                      return (
                        <li key={i}>
                          <Typography.Text>{view.text}</Typography.Text>{' '}
                          {view.tags.slice(0, 6).map((e) => <Tag key={e} variant="filled" color="blue">{e}</Tag>)}
                        </li>
                      )
                    })}
                  </ul>
                </Flex>
                <Button size="small" onClick={() => hide.mutate(r.mentor.id)}>{t.hide}</Button>
              </Flex>
            )}
          />
        )}
      </QueryView>
    </Card>
  )
}

export function HiddenMentorsCard() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const hidden = useQuery({ queryKey: ['hidden-mentors'], queryFn: hiddenMentors })
  const unhide = useMutation({
    mutationFn: unhideMentor,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['hidden-mentors'] })
      void qc.invalidateQueries({ queryKey: ['recommendations'] })
    },
    onError: fb.error,
  })
  return (
    <Card title={t.hiddenMentors} size="small">
      <QueryView query={hidden} isEmpty={(d) => d.length === 0}>
        {(d) => (
          <ItemList items={d} itemKey={(h) => h.mentorId} render={(h) => (
            <Flex justify="space-between" gap={8} wrap>
              <Link to={`/mentors/${h.mentorId}`}>{h.mentorId.slice(0, 8)}…</Link>
              <Typography.Text type="secondary">{new Date(h.hiddenAt).toLocaleDateString(lang)}</Typography.Text>
              <Button size="small" onClick={() => unhide.mutate(h.mentorId)}>{t.unhide}</Button>
            </Flex>
          )} />
        )}
      </QueryView>
    </Card>
  )
}

export function OutboxCard() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const reqs = useQuery({ queryKey: ['requests', 'outbox', page], queryFn: () => listRequests('outbox', page) })
  const cancel = useMutation({ mutationFn: cancelRequest, onSuccess: () => void qc.invalidateQueries({ queryKey: ['requests'] }), onError: fb.error })
  return (
    <Card title={t.myRequests}>
      <QueryView query={reqs} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<ChatRequest>
            rowKey="id"
            size="small"
            scroll={{ x: true }}
            dataSource={d.items}
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            columns={[
              { title: t.mentor, key: 'mentor', render: (_, r) => <Link to={`/mentors/${r.mentor.id}`}>{r.mentor.displayName ?? r.mentor.id}</Link> },
              { title: t.message, dataIndex: 'message', ellipsis: true },
              { title: t.status, key: 'state', render: (_, r) => <Flex vertical>{stateTag(t, r.state)}{r.reason && <Typography.Text type="secondary">{r.reason}</Typography.Text>}</Flex> },
              { title: t.createdAt, key: 'created', render: (_, r) => new Date(r.createdAt).toLocaleString(lang) },
              { title: t.actions, key: 'actions', render: (_, r) => r.state === 'pending' && (
                <Popconfirm title={t.cancelRequest} onConfirm={() => cancel.mutate(r.id)} okText={t.cancelRequest} cancelText={t.back}>
                  <Button size="small" danger>{t.cancelRequest}</Button>
                </Popconfirm>
              ) },
            ]}
          />
        )}
      </QueryView>
    </Card>
  )
}

export function MatchesCard({ as }: { as: 'mentee' | 'mentor' }) {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [page, setPage] = useState(1)
  const [ending, setEnding] = useState<Match | null>(null)
  const [form] = Form.useForm<{ reason?: string }>()
  const matches = useQuery({ queryKey: ['matches', as, page], queryFn: () => listMatches(as, page) })
  const end = useMutation({
    mutationFn: (v: { id: string; reason?: string }) => endMatch(v.id, v.reason),
    onSuccess: () => {
      setEnding(null)
      form.resetFields()
      void qc.invalidateQueries({ queryKey: ['matches'] })
      void qc.invalidateQueries({ queryKey: ['mentor-settings'] })
    },
    onError: fb.error,
  })
  return (
    <Card title={as === 'mentee' ? t.myMatches : t.myMentees}>
      <QueryView query={matches} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<Match>
            rowKey="id"
            size="small"
            scroll={{ x: true }}
            dataSource={d.items}
            data-testid={`matches-${as}`}
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            columns={[
              as === 'mentee'
                ? { title: t.mentor, key: 'who', render: (_, m) => <Link to={`/mentors/${m.mentor.id}`}>{m.mentor.displayName ?? m.mentor.id}</Link> }
                : { title: t.mentee, key: 'who', render: (_, m) => m.mentee.displayName ?? m.mentee.uid },
              { title: t.status, key: 'state', render: (_, m) => stateTag(t, m.state) },
              { title: t.createdAt, key: 'created', render: (_, m) => new Date(m.createdAt).toLocaleString(lang) },
              { title: t.actions, key: 'chat', render: (_, m) => m.state === 'active' && (
                <Flex gap={8} wrap>
                  <Link to={`/chat?room=${m.id}`}>{t.openChat}</Link>
                  <Button size="small" danger onClick={() => setEnding(m)}>{t.endMatch}</Button>
                </Flex>
              ) },
            ]}
          />
        )}
      </QueryView>
      <Modal open={!!ending} title={t.endMatch} onCancel={() => setEnding(null)} onOk={() => form.submit()} okText={t.endMatch} cancelText={t.cancel} confirmLoading={end.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" name={`end-match-${as}`} onFinish={(v) => ending && end.mutate({ id: ending.id, ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}) })}>
          <Form.Item label={t.endMatchReason} name="reason">
            <Input.TextArea rows={3} maxLength={MATCHING_LIMITS.reason} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  )
}
