import type { Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type AccessLogRow = Selectable<DB['access_log']>
