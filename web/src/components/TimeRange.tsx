// The time range control of the admin pages: presets (24 h … 90 d) and a custom from–to, read from
// and written to the URL through useTimeRange (web/src/lib/time-range.ts), so every tab shares it.
import { Button, Flex, Input, Segmented, Typography } from 'antd'
import { useState } from 'react'
import { useI18n } from '../i18n/index.tsx'
import { RANGE_PRESETS, useTimeRange, type RangePreset } from '../lib/time-range.ts'

/** `<input type="datetime-local">` works in local wall time without a zone: convert both ways */
const toLocalInput = (iso: string) => {
  const d = new Date(iso)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
const fromLocalInput = (v: string): string | null => {
  const ms = new Date(v).getTime()
  return v && Number.isFinite(ms) ? new Date(ms).toISOString() : null
}

export function TimeRangePicker({ fallback = '24h' }: { fallback?: RangePreset }) {
  const { t } = useI18n()
  const { range, bounds, setRange } = useTimeRange(fallback)
  const custom = !('preset' in range)
  const [editing, setEditing] = useState(custom)
  const [from, setFrom] = useState(toLocalInput(bounds.from))
  const [to, setTo] = useState(toLocalInput(bounds.to))
  const f = fromLocalInput(from)
  const tt = fromLocalInput(to)
  const valid = f !== null && tt !== null && f < tt
  return (
    <Flex gap={8} wrap align="center" data-testid="time-range">
      <Typography.Text type="secondary">{t.timeRange}</Typography.Text>
      <Segmented<string>
        aria-label={t.timeRange}
        value={editing || custom ? 'custom' : range.preset}
        options={[...RANGE_PRESETS.map((p) => ({ value: p, label: t.timeRangePresets[p] })), { value: 'custom', label: t.timeRangeCustom }]}
        onChange={(v) => {
          if (v === 'custom') {
            setFrom(toLocalInput(bounds.from))
            setTo(toLocalInput(bounds.to))
            setEditing(true)
          } else {
            setEditing(false)
            setRange({ preset: v as RangePreset })
          }
        }}
      />
      {(editing || custom) && (
        <Flex gap={8} wrap align="center">
          <Input type="datetime-local" aria-label={t.timeRangeFrom} value={from} onChange={(e) => setFrom(e.target.value)} style={{ width: 210 }} />
          <span>–</span>
          <Input type="datetime-local" aria-label={t.timeRangeTo} value={to} onChange={(e) => setTo(e.target.value)} style={{ width: 210 }} />
          <Button disabled={!valid} onClick={() => valid && setRange({ from: f, to: tt })}>{t.timeRangeApply}</Button>
          {!valid && <Typography.Text type="danger">{t.timeRangeInvalid}</Typography.Text>}
        </Flex>
      )}
    </Flex>
  )
}
