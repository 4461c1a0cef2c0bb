import type { Insertable, Selectable, Updateable } from 'kysely'
import type { DB } from '../db/types.ts'

export type ApplicationRow = Selectable<DB['mentor_applications']>
export type NewApplicationRow = Insertable<DB['mentor_applications']>
export type ApplicationUpdate = Updateable<DB['mentor_applications']>
/** An application with the applicant's mirrored account fields. */
export type ApplicationWithApplicant = ApplicationRow & { applicant_email: string | null; applicant_name: string | null }
