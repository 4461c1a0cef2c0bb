import type { Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type EmailRow = Selectable<DB['email_outbox']>
