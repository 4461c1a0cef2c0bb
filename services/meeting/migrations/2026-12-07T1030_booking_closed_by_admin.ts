import type { Kysely } from 'kysely'

// Frozen in time: imports no app code.
//
// An admin may cancel a booking on a party's behalf (issue 21): `cancelled_by` stays the party whose
// refund rule applies, and this column names the admin who did it, so the booking's history says who
// acted (the reason is in `reason`, the audit trail has the event).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('bookings').addColumn('closed_by_admin', 'text').execute()
}
