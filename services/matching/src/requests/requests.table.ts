import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type RequestRow = Selectable<DB['requests']>
export type NewRequestRow = Insertable<DB['requests']>
/**
 * A request with the mentor's name and headline from the read model (null if it is gone), and the
 * mentee's name as their account now has it (account_names; null if no account event said it yet).
 */
export type RequestWithMentor = RequestRow & { mentor_name: string | null; mentor_headline: string | null; mentee_account_name: string | null }
export type MatchRow = Selectable<DB['matches']>
export type MatchWithParties = MatchRow & { mentor_name: string | null; mentor_headline: string | null; mentee_name: string | null }
