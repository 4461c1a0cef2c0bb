import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type ReviewRow = Selectable<DB['reviews']>
export type NewReviewRow = Insertable<DB['reviews']>
export type CompletedSessionRow = Selectable<DB['completed_sessions']>
export type NewCompletedSessionRow = Insertable<DB['completed_sessions']>
