import type { Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type SettingsRow = Selectable<DB['mentor_settings']>
