// My page › 알림 (Notifications): the language and time zone Sunbae writes to me in (my account,
// PUT /api/me); which categories reach me in the app and by email (transactional ones always on), and
// quiet hours, saved with one PUT of what changed.
import { Alert, Button, Card, Col, Flex, Form, Input, Row, Select, Switch, Table, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { LOCALES, type Locale, type Me, type NotificationPreferences, type PutNotificationPreferencesBody } from '@sunbae/contracts'
import { useState } from 'react'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { changedSwitches, quietHoursValue, sameQuietHours, type CategorySwitches } from '../../lib/notifications.ts'
import { getMe, putMe } from '../../services/catalog.ts'
import { getNotificationPreferences, putNotificationPreferences } from '../../services/notifications.ts'
import { TimeZoneSelect } from './time-windows.tsx'

const LANGUAGE_NAMES: Record<Locale, string> = { ko: '한국어', en: 'English' }

function LanguageForm({ me }: { me: Me }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<{ locale: Locale; timeZone: string }>()
  const save = useMutation({
    mutationFn: (v: { locale: Locale; timeZone: string }) => putMe(v),
    onSuccess: (m) => {
      qc.setQueryData(['me'], m)
      fb.success(t.saved)
    },
    onError: fb.error,
  })
  return (
    <Form form={form} layout="vertical" name="notification-language" initialValues={{ locale: me.locale, timeZone: me.timeZone }} onFinish={(v) => save.mutate(v)}>
      <Typography.Paragraph type="secondary">{t.notifLanguageHint}</Typography.Paragraph>
      <Row gutter={16} align="bottom">
        <Col xs={24} md={8}>
          <Form.Item label={t.language} name="locale">
            <Select aria-label={t.language} options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
          </Form.Item>
        </Col>
        <Col xs={24} md={10}>
          <Form.Item label={t.timezone} name="timeZone">
            <TimeZoneSelect />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item>
            <Button htmlType="submit" loading={save.isPending} data-testid="notification-language-save">{t.save}</Button>
          </Form.Item>
        </Col>
      </Row>
    </Form>
  )
}

const QUERY_KEY = ['notification-preferences']

function SettingsForm({ prefs }: { prefs: NotificationPreferences }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [switches, setSwitches] = useState<CategorySwitches[]>(() => prefs.items.map((i) => ({ ...i })))
  const [quietOn, setQuietOn] = useState(prefs.quietHours !== null)
  const [start, setStart] = useState(prefs.quietHours?.start ?? '22:00')
  const [end, setEnd] = useState(prefs.quietHours?.end ?? '08:00')
  const quiet = quietHoursValue(quietOn, start, end)
  const [showProblem, setShowProblem] = useState(false)

  const save = useMutation({
    mutationFn: (body: PutNotificationPreferencesBody) => putNotificationPreferences(body),
    onSuccess: (p) => {
      qc.setQueryData(QUERY_KEY, p)
      setSwitches(p.items.map((i) => ({ ...i })))
      fb.success(t.saved)
    },
    onError: fb.error,
  })

  const onSave = () => {
    if ('problem' in quiet) {
      setShowProblem(true)
      return
    }
    const items = changedSwitches(prefs, switches)
    const body: PutNotificationPreferencesBody = {
      ...(items.length ? { items } : {}),
      ...(sameQuietHours(prefs.quietHours, quiet.value) ? {} : { quietHours: quiet.value }),
    }
    if (Object.keys(body).length === 0) return fb.success(t.notifNothingChanged)
    save.mutate(body)
  }

  const flip = (category: CategorySwitches['category'], channel: 'inApp' | 'email', on: boolean) =>
    setSwitches((all) => all.map((s) => (s.category === category ? { ...s, [channel]: on } : s)))

  return (
    <Flex vertical gap={16}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t.notifSettingsIntro}</Typography.Paragraph>
      <Table<CategorySwitches>
        data-testid="notification-switches"
        size="small"
        pagination={false}
        rowKey="category"
        dataSource={switches}
        columns={[
          { key: 'category', title: t.notifCategory, render: (_, s) => t.notifCategories[s.category] },
          ...(['inApp', 'email'] as const).map((channel) => ({
            key: channel,
            title: channel === 'inApp' ? t.notifInApp : t.notifEmail,
            render: (_: unknown, s: CategorySwitches) => (
              <Switch
                size="small"
                checked={s.transactional || s[channel]}
                disabled={s.transactional || save.isPending}
                aria-label={t.notifSwitch(t.notifCategories[s.category], channel === 'inApp' ? t.notifInApp : t.notifEmail)}
                onChange={(on) => flip(s.category, channel, on)}
              />
            ),
          })),
        ]}
      />
      {switches.some((s) => s.transactional) && <Typography.Text type="secondary">{t.notifAlwaysOn}</Typography.Text>}

      <Flex vertical gap={8}>
        <Flex gap={8} align="center">
          <Switch checked={quietOn} onChange={(on) => { setQuietOn(on); setShowProblem(false) }} aria-label={t.notifQuietHours} id="quiet-hours-on" />
          <label htmlFor="quiet-hours-on"><Typography.Text strong>{t.notifQuietHours}</Typography.Text></label>
        </Flex>
        <Typography.Text type="secondary">{t.notifQuietHoursHint}</Typography.Text>
        {quietOn && (
          <Form layout="inline" component="div">
            <Form.Item label={t.notifQuietFrom} htmlFor="quiet-hours-start">
              <Input id="quiet-hours-start" type="time" value={start} onChange={(e) => { setStart(e.target.value); setShowProblem(false) }} style={{ width: 130 }} />
            </Form.Item>
            <Form.Item label={t.notifQuietTo} htmlFor="quiet-hours-end">
              <Input id="quiet-hours-end" type="time" value={end} onChange={(e) => { setEnd(e.target.value); setShowProblem(false) }} style={{ width: 130 }} />
            </Form.Item>
          </Form>
        )}
        {showProblem && 'problem' in quiet && <Alert type="error" showIcon title={t[quiet.problem]} data-testid="quiet-hours-problem" />}
      </Flex>

      <div>
        <Button type="primary" onClick={onSave} loading={save.isPending} data-testid="notification-settings-save">{t.save}</Button>
      </div>
    </Flex>
  )
}

export function NotificationSettingsTab() {
  const { t } = useI18n()
  const me = useQuery({ queryKey: ['me'], queryFn: getMe })
  const prefs = useQuery({ queryKey: QUERY_KEY, queryFn: getNotificationPreferences })
  return (
    <Flex vertical gap={16}>
      <Card title={t.notifLanguageTitle}>
        <QueryView query={me}>{(m) => <LanguageForm me={m} />}</QueryView>
      </Card>
      <Card title={t.notifSettingsTitle}>
        <QueryView query={prefs}>{(p) => <SettingsForm prefs={p} />}</QueryView>
      </Card>
    </Flex>
  )
}
