import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type MentorRow = Selectable<DB['mentors']>
export type NewMentorRow = Insertable<DB['mentors']>
export type MatchRow = Selectable<DB['matches']>
/** A match as either of its events tells it: the parties, and when it was accepted or ended. */
export type MatchParties = Pick<Insertable<DB['matches']>, 'match_id' | 'mentor_id' | 'mentor_uid' | 'mentee_uid'>
