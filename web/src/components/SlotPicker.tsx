// A mentor's free slots in the viewer's time zone (the browser's, or one chosen), two weeks at a
// time: pick a session length, a day, then a time. Used to book (mentor page) and to reschedule
// (my sessions, with the booking's own length).
import { Button, Col, Flex, Form, Row, Segmented, Select, Typography } from 'antd'
import { LeftOutlined, RightOutlined } from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { useMemo, useState, type ReactNode } from 'react'
import type { SlotsResponse } from '@sunbae/contracts'
import { useI18n } from '../i18n/index.tsx'
import { ApiError } from '../lib/errors.ts'
import { browserZone, dayLabel, groupSlotsByDay, slotWindow, zoneOptions, type SlotDay } from '../lib/meetings.ts'
import { getSlots } from '../services/meeting.ts'
import { EmptyState, Loading, QueryError } from './States.tsx'

export interface PickedSlot {
  start: string
  end: string
  localStart: string
  label: string
  date: string
  duration: number
  timezone: string
}

export function SlotPicker({ mentorId, fixedDuration, value, onChange, footer, idPrefix = 'slot' }: {
  mentorId: string
  /** rescheduling keeps the booking's length */
  fixedDuration?: number
  value: PickedSlot | null
  onChange: (slot: PickedSlot | null) => void
  /** below the times: the book button and what it will cost, given the loaded schedule */
  footer?: (data: SlotsResponse | undefined) => ReactNode
  idPrefix?: string
}) {
  const { t, lang } = useI18n()
  const [tz, setTz] = useState(browserZone)
  const [duration, setDuration] = useState<number | undefined>(fixedDuration)
  const [page, setPage] = useState(0)
  const [day, setDay] = useState<string | null>(null)
  // the window is fixed per page, so the query key (and cache) is stable while the page is shown
  const [now] = useState(() => new Date())
  const range = useMemo(() => slotWindow(now, page), [now, page])
  const slots = useQuery({
    queryKey: ['slots', mentorId, duration ?? null, tz, range.from],
    queryFn: () => getSlots(mentorId, { ...range, duration, tz }),
    placeholderData: (prev) => prev,
  })
  const data = slots.data
  const days: SlotDay[] = useMemo(() => (data ? groupSlotsByDay(data.slots) : []), [data])
  const shownDay = days.find((d) => d.date === day) ?? days[0]
  const zones = useMemo(() => zoneOptions(tz, data?.mentorTimezone ?? '').map((z) => ({ value: z, label: z })), [tz, data?.mentorTimezone])
  const reset = () => {
    setDay(null)
    onChange(null)
  }

  if (slots.isPending) return <Loading />
  if (slots.isError && slots.error instanceof ApiError && slots.error.code === 'NO_AVAILABILITY') return <EmptyState text={t.meetingNoSchedule} />
  if (slots.isError || !data) return <QueryError error={slots.error} onRetry={() => void slots.refetch()} />

  const fmtRange = (iso: string) => new Intl.DateTimeFormat(lang, { timeZone: tz, month: 'short', day: 'numeric' }).format(new Date(iso))
  return (
    <Flex vertical gap={12} data-testid={`${idPrefix}-picker`}>
      <Form layout="vertical" component="div">
        <Row gutter={12}>
          <Col xs={24} md={14}>
            <Form.Item label={t.meetingShownIn} htmlFor={`${idPrefix}-tz`} extra={t.meetingMentorZone(data.mentorTimezone)} style={{ marginBottom: 8 }}>
              <Select
                id={`${idPrefix}-tz`}
                showSearch
                value={tz}
                options={zones}
                onChange={(v: string) => {
                  setTz(v)
                  reset()
                }}
              />
            </Form.Item>
          </Col>
          {fixedDuration === undefined && data.durations.length > 0 && (
            <Col xs={24} md={10}>
              <Form.Item label={t.meetingSessionLength} style={{ marginBottom: 8 }}>
                <Segmented
                  aria-label={t.meetingSessionLength}
                  value={data.duration}
                  options={data.durations.map((d) => ({ value: d, label: t.meetingMinutes(d) }))}
                  onChange={(v) => {
                    setDuration(Number(v))
                    reset()
                  }}
                />
              </Form.Item>
            </Col>
          )}
        </Row>
      </Form>
      <Flex align="center" justify="space-between" gap={8}>
        <Button icon={<LeftOutlined />} aria-label={t.meetingEarlier} disabled={page === 0} onClick={() => { setPage(page - 1); reset() }} />
        <Typography.Text strong>{t.meetingRange(fmtRange(range.from), fmtRange(range.to))}</Typography.Text>
        <Button icon={<RightOutlined />} aria-label={t.meetingLater} onClick={() => { setPage(page + 1); reset() }} />
      </Flex>
      {slots.isFetching && slots.isPlaceholderData ? <Loading /> : days.length === 0 ? <EmptyState text={t.meetingNoSlots} /> : (
        <>
          <div role="group" aria-label={t.meetingDay}>
            <Flex wrap gap={6} data-testid="slot-days">
              {days.map((d) => (
                <Button key={d.date} type={d.date === shownDay?.date ? 'primary' : 'default'} aria-pressed={d.date === shownDay?.date} onClick={() => setDay(d.date)}>
                  {dayLabel(d.date, lang)} · {d.slots.length}
                </Button>
              ))}
            </Flex>
          </div>
          {shownDay && (
            <div role="group" aria-label={`${t.meetingTime} · ${dayLabel(shownDay.date, lang)}`}>
              <Flex wrap gap={6} data-testid="slot-times">
                {shownDay.slots.map((s) => {
                  const on = value?.start === s.start
                  return (
                    <Button
                      key={s.start}
                      type={on ? 'primary' : 'default'}
                      aria-pressed={on}
                      style={{ minWidth: 76 }}
                      onClick={() => onChange({ start: s.start, end: s.end, localStart: s.localStart, label: s.label, date: shownDay.date, duration: data.duration, timezone: data.timezone })}
                    >
                      {s.label}
                    </Button>
                  )
                })}
              </Flex>
            </div>
          )}
        </>
      )}
      {footer?.(data)}
    </Flex>
  )
}
