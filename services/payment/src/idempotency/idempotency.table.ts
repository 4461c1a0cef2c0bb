import type { Selectable } from 'kysely'
import type { IdempotencyKeys } from '../db/types.ts'

export type IdempotencyKeyRow = Selectable<IdempotencyKeys>
