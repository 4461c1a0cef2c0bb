import type { Insertable, Selectable, Updateable } from 'kysely'
import type { DB } from '../db/types.ts'

export type MentorRow = Selectable<DB['mentors']>
export type NewMentorRow = Insertable<DB['mentors']>
export type MentorUpdate = Updateable<DB['mentors']>
