import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type PreferencesRow = Selectable<DB['preferences']>
export type NewPreferencesRow = Insertable<DB['preferences']>
export type HiddenMentorRow = Selectable<DB['hidden_mentors']>
