import type { Insertable, Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type MentorPhotoRow = Selectable<DB['mentor_photos']>
export type NewMentorPhotoRow = Insertable<DB['mentor_photos']>
