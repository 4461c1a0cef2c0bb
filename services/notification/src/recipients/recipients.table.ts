import type { Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type RecipientRow = Selectable<DB['recipients']>
