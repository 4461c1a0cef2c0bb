// The words of the admin area's shared parts (the time range) and of its accounts, mentors and
// reviews tabs, Korean and English. Spread into dict.ts's two dictionaries, so a missing English
// string is still a type error.
import type { RangePreset } from '../lib/time-range.ts'

export const adminKo = {
  timeRange: '기간',
  timeRangePresets: { '24h': '24시간', '7d': '7일', '30d': '30일', '90d': '90일' } satisfies Record<RangePreset, string>,
  timeRangeCustom: '직접 지정',
  timeRangeFrom: '시작',
  timeRangeTo: '끝',
  timeRangeApply: '적용',
  timeRangeInvalid: '시작이 끝보다 앞서야 합니다.',
  adminReason: '사유 (감사 기록에 남습니다)',
}

export const adminEn: typeof adminKo = {
  timeRange: 'Time range',
  timeRangePresets: { '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' },
  timeRangeCustom: 'Custom',
  timeRangeFrom: 'From',
  timeRangeTo: 'To',
  timeRangeApply: 'Apply',
  timeRangeInvalid: 'The start must be before the end.',
  adminReason: 'Reason (kept in the audit trail)',
}
