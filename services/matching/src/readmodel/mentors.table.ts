import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type MentorRow = Selectable<DB['mentors']>
export type NewMentorRow = Insertable<DB['mentors']>
export type NewRatingRow = Insertable<DB['mentor_ratings']>
