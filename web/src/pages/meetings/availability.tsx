// The mentor's availability editor (a tab of my page): IANA zone, weekly hours, date overrides (other
// hours or a day off), session lengths, start grid, buffers, notice, horizon, daily limit, price and
// the cancel / reschedule policy. The form checks what it can as you type (hours in order, apart);
// the server's validation answers are shown on their fields and in the toast (lib/errors.ts).
import { Alert, Button, Card, Checkbox, Col, Divider, Flex, Form, Input, InputNumber, Row, Select, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { MEETING_LIMITS, type Availability, type DayWindow } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { Loading, QueryError } from '../../components/States.tsx'
import type { Dict } from '../../i18n/dict.ts'
import { useI18n } from '../../i18n/index.tsx'
import { ApiError } from '../../lib/errors.ts'
import {
  WEEKDAYS,
  availabilityToForm,
  browserZone,
  defaultAvailabilityForm,
  formPathOf,
  formToAvailabilityBody,
  timeChoices,
  windowProblem,
  zoneOptions,
  type AvailabilityForm,
} from '../../lib/meetings.ts'
import { getAvailability, putAvailability } from '../../services/meeting.ts'

const L = MEETING_LIMITS
const DURATION_CHOICES = [15, 20, 30, 45, 50, 60, 75, 90, 120, 150, 180, 240]
const STARTS = timeChoices(15).map((v) => ({ value: v, label: v }))
const ENDS = timeChoices(15, true).map((v) => ({ value: v, label: v }))

const problemText = (t: Dict, windows: DayWindow[] | undefined) => {
  const p = windowProblem(windows ?? [])
  return p === 'order' ? t.meetingWindowOrder : p === 'overlap' ? t.meetingWindowOverlap : null
}

/** Rows of start–end for one day or override date: a Form.List at `name` (relative inside another list), watched at `watch` (from the root). */
function WindowRows({ name, watch, label, serverError }: { name: (string | number)[]; watch: (string | number)[]; label: string; serverError: string | undefined }) {
  const { t } = useI18n()
  const windows = Form.useWatch(watch) as DayWindow[] | undefined
  const problem = problemText(t, windows) ?? serverError
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <Flex vertical gap={6}>
          {fields.length === 0 && <Typography.Text type="secondary">{t.meetingDayOff}</Typography.Text>}
          {fields.map((f, i) => (
            <Flex key={f.key} gap={6} align="center" wrap>
              <Form.Item name={[f.name, 'start']} noStyle rules={[{ required: true, message: t.required }]}>
                <Select aria-label={`${label} ${i + 1} ${t.meetingFrom}`} options={STARTS} showSearch style={{ width: 100 }} />
              </Form.Item>
              <span aria-hidden>–</span>
              <Form.Item name={[f.name, 'end']} noStyle rules={[{ required: true, message: t.required }]}>
                <Select aria-label={`${label} ${i + 1} ${t.meetingTo}`} options={ENDS} showSearch style={{ width: 100 }} />
              </Form.Item>
              <Button type="text" icon={<DeleteOutlined />} aria-label={`${label} ${i + 1} ${t.meetingRemove}`} onClick={() => remove(f.name)} />
            </Flex>
          ))}
          {problem && <Typography.Text type="danger" role="alert">{problem}</Typography.Text>}
          <div>
            <Button size="small" icon={<PlusOutlined />} disabled={fields.length >= L.windowsPerDay} onClick={() => {
              const last = (windows ?? []).at(-1)
              add(last && last.end < '23:00' && last.end !== '24:00' ? { start: last.end, end: last.end < '22:00' ? `${String(Number(last.end.slice(0, 2)) + 1).padStart(2, '0')}:${last.end.slice(3)}` : '24:00' } : { start: '09:00', end: '18:00' })
            }}>
              {t.meetingAddHours}
            </Button>
          </div>
        </Flex>
      )}
    </Form.List>
  )
}

function Overrides({ serverErrors }: { serverErrors: Map<string, string> }) {
  const { t } = useI18n()
  const overrides = Form.useWatch('overrides') as AvailabilityForm['overrides'] | undefined
  return (
    <Form.List name="overrides">
      {(fields, { add, remove }) => (
        <Flex vertical gap={12} data-testid="overrides">
          {fields.map((f, i) => {
            const row = overrides?.[f.name]
            const dup = !!row?.date && (overrides ?? []).some((o, j) => j !== f.name && o?.date === row.date)
            return (
              <Card key={f.key} size="small">
                <Flex vertical gap={8}>
                  <Flex gap={12} wrap align="center">
                    <Form.Item name={[f.name, 'date']} label={t.meetingDate} rules={[{ required: true, message: t.required }]} style={{ marginBottom: 0 }}
                      validateStatus={dup || serverErrors.has(`overrides/${f.name}/date`) ? 'error' : undefined}
                      help={dup ? t.meetingDuplicateDate : serverErrors.get(`overrides/${f.name}/date`)}>
                      <Input type="date" style={{ width: 170 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'off']} valuePropName="checked" style={{ marginBottom: 0 }}>
                      <Checkbox>{t.meetingOff}</Checkbox>
                    </Form.Item>
                    <Button type="text" danger icon={<DeleteOutlined />} aria-label={`${t.meetingOverrides} ${i + 1} ${t.meetingRemove}`} onClick={() => remove(f.name)} />
                  </Flex>
                  {!row?.off && (
                    <>
                      <Typography.Text type="secondary">{t.meetingOtherHours}</Typography.Text>
                      <WindowRows name={[f.name, 'windows']} watch={['overrides', f.name, 'windows']} label={`${row?.date ?? t.meetingDate}`} serverError={serverErrors.get(`overrides/${f.name}/windows`)} />
                    </>
                  )}
                </Flex>
              </Card>
            )
          })}
          <div>
            <Button icon={<PlusOutlined />} disabled={fields.length >= L.overrides} onClick={() => add({ date: '', off: true, windows: [] })}>{t.meetingAddOverride}</Button>
          </div>
        </Flex>
      )}
    </Form.List>
  )
}

function Weekly({ serverErrors }: { serverErrors: Map<string, string> }) {
  const { t } = useI18n()
  return (
    <Row gutter={[16, 12]}>
      {WEEKDAYS.map((d) => (
        <Col key={d} xs={24} md={12} xl={8}>
          <Flex vertical gap={4} data-testid={`weekly-${d}`}>
            <Typography.Text strong>{t.meetingDays[d]}</Typography.Text>
            <WindowRows name={['weekly', d]} watch={['weekly', d]} label={t.meetingDays[d] ?? d} serverError={serverErrors.get(`weekly/${d}`)} />
          </Flex>
        </Col>
      ))}
    </Row>
  )
}

function AvailabilityEditor({ current }: { current: Availability | null }) {
  const { t } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<AvailabilityForm>()
  const [serverErrors, setServerErrors] = useState<Map<string, string>>(new Map())
  const initial = useMemo(() => (current ? availabilityToForm(current) : defaultAvailabilityForm(browserZone())), [current])
  const tz = Form.useWatch('timezone', form) ?? initial.timezone
  const zones = useMemo(() => zoneOptions(initial.timezone).map((z) => ({ value: z, label: z })), [initial.timezone])
  const save = useMutation({
    mutationFn: (v: AvailabilityForm) => putAvailability(formToAvailabilityBody(v)),
    onSuccess: (a) => {
      setServerErrors(new Map())
      qc.setQueryData(['availability'], a)
      void qc.invalidateQueries({ queryKey: ['slots'] })
      fb.success(t.saved)
    },
    onError: (err) => {
      fb.error(err)
      if (!(err instanceof ApiError)) return
      // each detail on its field: simple fields through the form, hours lists below their rows
      const map = new Map<string, string>()
      const fields: { name: (string | number)[]; errors: string[] }[] = []
      for (const d of err.details) {
        const path = formPathOf(d.field)
        if (!path) continue
        map.set(path.join('/'), d.message)
        if (path.length === 1 || path.at(-1) === 'date') fields.push({ name: path, errors: [d.message] })
      }
      setServerErrors(map)
      if (fields.length) form.setFields(fields as Parameters<typeof form.setFields>[0])
    },
  })
  // a client-side problem in any hours list blocks saving (the server would refuse it too)
  const onFinish = (v: AvailabilityForm) => {
    const lists = [...WEEKDAYS.map((d) => v.weekly?.[d]), ...(v.overrides ?? []).map((o) => (o.off ? [] : o.windows))]
    if (lists.some((w) => windowProblem(w ?? []))) return
    save.mutate(v)
  }
  const num = (name: keyof AvailabilityForm, label: string, max: number, opts: { min?: number; extra?: string; optional?: boolean; step?: number } = {}) => (
    <Col xs={24} sm={12} lg={8}>
      <Form.Item name={name} label={label} extra={opts.extra} rules={opts.optional ? [] : [{ required: true, message: t.required }]}>
        <InputNumber min={opts.min ?? 0} max={max} step={opts.step ?? 1} precision={0} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  )
  return (
    <Form form={form} layout="vertical" name="availability" initialValues={initial} onFinish={onFinish} scrollToFirstError>
      <Flex vertical gap={4}>
        {!current && <Alert type="info" showIcon title={t.meetingNoScheduleYet} style={{ marginBottom: 12 }} />}
        <Typography.Paragraph type="secondary">{t.meetingAvailabilityIntro}</Typography.Paragraph>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="timezone" label={t.meetingTimezone} rules={[{ required: true, message: t.required }]}>
              <Select showSearch options={zones} />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start">{t.meetingWeekly} ({tz})</Divider>
        <Weekly serverErrors={serverErrors} />
        <Divider titlePlacement="start">{t.meetingOverrides}</Divider>
        <Typography.Paragraph type="secondary">{t.meetingOverridesHint}</Typography.Paragraph>
        <Overrides serverErrors={serverErrors} />
        <Divider titlePlacement="start">{t.meetingSessionRules}</Divider>
        <Row gutter={16}>
          <Col xs={24} lg={16}>
            <Form.Item name="durations" label={t.meetingDurations} rules={[{ required: true, type: 'array', min: 1, message: t.required }]}>
              <Select mode="multiple" maxCount={L.durations} options={DURATION_CHOICES.map((d) => ({ value: d, label: t.meetingMinutes(d) }))} />
            </Form.Item>
          </Col>
          {num('slotIntervalMin', t.meetingSlotInterval, L.maxDurationMin, { min: 5, optional: true, extra: t.meetingSlotIntervalHint, step: 5 })}
          {num('bufferBeforeMin', t.meetingBufferBefore, L.maxBufferMin, { step: 5 })}
          {num('bufferAfterMin', t.meetingBufferAfter, L.maxBufferMin, { step: 5 })}
          {num('minNoticeMin', t.meetingMinNotice, L.maxNoticeMin, { extra: t.meetingMinNoticeHint, step: 30 })}
          {num('horizonDays', t.meetingHorizon, L.maxHorizonDays, { min: 1 })}
          {num('maxPerDay', t.meetingMaxPerDay, L.maxPerDay, { min: 1, optional: true, extra: t.meetingMaxPerDayHint })}
          {num('pricePerHour', t.meetingPricePerHour, 10_000_000, { step: 10_000 })}
        </Row>
        <Divider titlePlacement="start">{t.meetingPolicy}</Divider>
        <Row gutter={16}>
          {num('fullRefundHours', t.meetingFullRefundHours, 24 * 30)}
          {num('partialRefundHours', t.meetingPartialRefundHours, 24 * 30)}
          {num('partialRefundPercent', t.meetingPartialRefundPercent, 100)}
          {num('rescheduleNoticeHours', t.meetingRescheduleNotice, 24 * 30)}
        </Row>
        <div>
          <Button type="primary" htmlType="submit" size="large" loading={save.isPending}>{t.save}</Button>
        </div>
      </Flex>
    </Form>
  )
}

/** The mentor's availability, as a tab of my page; a mentor without one starts from a default. */
export function AvailabilityTab() {
  const { t } = useI18n()
  const availability = useQuery({ queryKey: ['availability'], queryFn: getAvailability })
  const none = availability.error instanceof ApiError && availability.error.code === 'NO_AVAILABILITY'
  return (
    <Card title={t.meetingAvailabilityTitle} data-testid="availability">
      {availability.isPending ? <Loading /> : availability.isError && !none ? (
        <QueryError error={availability.error} onRetry={() => void availability.refetch()} />
      ) : (
        <AvailabilityEditor current={none ? null : (availability.data ?? null)} />
      )}
    </Card>
  )
}
