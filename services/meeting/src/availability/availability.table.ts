import type { Insertable, Selectable } from 'kysely'
import type { DateOverride, WeeklyHours } from '@sunbae/contracts'
import type { DB } from '../db/types.ts'

export type AvailabilityRow = Selectable<DB['availability']>

/** A mentor's schedule as the service saves it: JSON columns as values, encoded by the repository. */
export type AvailabilityValues = Omit<Insertable<DB['availability']>, 'weekly' | 'overrides' | 'updated_at'> & {
  weekly: WeeklyHours
  overrides: DateOverride[]
}

/** An active booking as a calendar block of its mentor (buffers included), epoch milliseconds. */
export interface BusyBlock {
  start: number
  end: number
  startsAt: number
}
