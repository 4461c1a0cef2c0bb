// The weekly time-window editor of the mentee preferences and the mentor settings: rows of day +
// start + end in the owner's time zone (shown above them), added and removed freely. Works as an
// antd form control (value / onChange); problems are shown on their row, the client's own checks
// (lib/time-windows.ts) as they happen, the server's once it answered. The form does not send while
// validateWindows finds a problem (no Form.Item rule: its error state would mark every row red).
import type { ReactNode } from 'react'
import { Alert, Button, Col, Flex, Form, Row, Select, Typography } from 'antd'
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { MATCHING_LIMITS, WEEKDAYS, type TimeWindow, type Weekday } from '@sunbae/contracts'
import type { Dict } from '../../i18n/dict.ts'
import { useI18n } from '../../i18n/index.tsx'
import { nextWindow, timeOptions, timeZoneOptions, validateWindows, weeklyHours, type WindowProblem } from '../../lib/time-windows.ts'

export const dayLabel = (t: Dict, d: Weekday) => t[`windowDay_${d}`]

export const problemText = (t: Dict, p: WindowProblem) =>
  p === 'order' ? t.windowOrder : p === 'tooMany' ? t.windowTooMany(MATCHING_LIMITS.timeWindows) : t.windowTime

export function TimeZoneSelect({ value, onChange, id }: { value?: string; onChange?: (v: string) => void; id?: string }) {
  const { t } = useI18n()
  return (
    <Select
      id={id}
      aria-label={t.timezone}
      showSearch
      value={value}
      onChange={onChange}
      options={timeZoneOptions(value).map((z) => ({ value: z, label: z }))}
      placeholder="Asia/Seoul"
    />
  )
}

/**
 * The last row of a form that keeps a time zone and weekly windows (my preferences, my mentor
 * settings): the form's own fields (`children`), the time zone, the windows under `windowsLabel`,
 * then the save button.
 */
export function ScheduleFieldsRow({ children, zoneMd, windowsLabel, timezone, windowErrors, saving }: {
  children: ReactNode
  /** the time zone column's width from md up */
  zoneMd: number
  windowsLabel: string
  timezone: string
  /** the server's answer about time windows, by row */
  windowErrors: Map<number, string>
  saving: boolean
}) {
  const { t } = useI18n()
  return (
    <>
      <Row gutter={12}>
        {children}
        <Col xs={24} md={zoneMd}>
          <Form.Item label={t.timezone} name="timezone">
            <TimeZoneSelect />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item label={windowsLabel} name="timeWindows">
            <TimeWindowsEditor timezone={timezone} serverErrors={windowErrors} />
          </Form.Item>
        </Col>
      </Row>
      <Button type="primary" htmlType="submit" loading={saving}>{t.save}</Button>
    </>
  )
}

export function TimeWindowsEditor({ value, onChange, timezone, serverErrors, id }: {
  value?: TimeWindow[]
  onChange?: (v: TimeWindow[]) => void
  timezone: string
  /** the last server answer's problems by row (-1: the list as a whole) */
  serverErrors?: Map<number, string>
  id?: string
}) {
  const { t } = useI18n()
  const rows = value ?? []
  const issues = validateWindows(rows)
  const set = (i: number, patch: Partial<TimeWindow>) => onChange?.(rows.map((w, j) => (j === i ? { ...w, ...patch } : w)))
  const remove = (i: number) => onChange?.(rows.filter((_, j) => j !== i))
  const add = () => onChange?.([...rows, nextWindow(rows)])
  const listError = serverErrors?.get(-1)
  return (
    <Flex vertical gap={8} id={id} data-testid="time-windows">
      <Typography.Text type="secondary">{t.windowsIn(timezone)} · {t.windowsSummary(rows.length, weeklyHours(rows.filter((_, i) => !issues.some((x) => x.index === i))))}</Typography.Text>
      {rows.length === 0 && <Typography.Text type="secondary">{t.noWindows}</Typography.Text>}
      {rows.map((w, i) => {
        const own = issues.find((x) => x.index === i && x.problem !== 'tooMany')
        const server = serverErrors?.get(i)
        const n = i + 1
        return (
          <Flex key={i} vertical gap={2}>
            <Flex gap={8} wrap align="center">
              <Select<Weekday> aria-label={`${t.windowDay} ${n}`} value={w.day} style={{ width: 110 }} onChange={(day) => set(i, { day })}
                options={WEEKDAYS.map((d) => ({ value: d, label: dayLabel(t, d) }))} />
              <Select<string> aria-label={`${t.windowStart} ${n}`} value={w.start} style={{ width: 100 }} showSearch onChange={(start) => set(i, { start })}
                status={own && own.problem !== 'end' ? 'error' : undefined} options={timeOptions('start', w.start).map((x) => ({ value: x, label: x }))} />
              <span aria-hidden>–</span>
              <Select<string> aria-label={`${t.windowEnd} ${n}`} value={w.end} style={{ width: 100 }} showSearch onChange={(end) => set(i, { end })}
                status={own && own.problem !== 'start' ? 'error' : undefined} options={timeOptions('end', w.end).map((x) => ({ value: x, label: x }))} />
              <Button aria-label={`${t.removeWindow} ${n}`} icon={<DeleteOutlined />} onClick={() => remove(i)} />
            </Flex>
            {own && <Typography.Text type="danger" role="alert">{problemText(t, own.problem)}</Typography.Text>}
            {server && <Typography.Text type="danger" role="alert">{server}</Typography.Text>}
          </Flex>
        )
      })}
      {issues.some((x) => x.problem === 'tooMany') && <Typography.Text type="danger" role="alert">{problemText(t, 'tooMany')}</Typography.Text>}
      {listError && <Alert type="error" showIcon title={listError} />}
      <div>
        <Button icon={<PlusOutlined />} onClick={add} disabled={rows.length >= MATCHING_LIMITS.timeWindows}>{t.addWindow}</Button>
      </div>
    </Flex>
  )
}
