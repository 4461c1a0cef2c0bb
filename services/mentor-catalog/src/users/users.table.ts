import type { Insertable, Selectable, Updateable } from 'kysely'
import type { DB } from '../db/types.ts'

export type UserRow = Selectable<DB['users']>
export type NewUserRow = Insertable<DB['users']>
export type UserUpdate = Updateable<DB['users']>
