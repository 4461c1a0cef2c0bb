import { sql, type Kysely } from 'kysely'

// Frozen in time: imports no app code.
//
// The 1:1 video room (issue 23). Who joined a session's room and when: one row per booking and party,
// the first join and the last leave (a rejoin keeps the first join), which the no-show rule reads.
// The room lives at the web's /sessions/<id>/room, so the random link token of the old placeholder
// (MEETING_VIDEO_BASE_URL + video_token) goes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('room_attendance')
    .addColumn('booking_id', 'uuid', (c) => c.notNull().references('bookings.id'))
    .addColumn('party', 'text', (c) => c.notNull().check(sql`party in ('mentee', 'mentor')`))
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('first_joined_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_left_at', 'timestamptz')
    .addPrimaryKeyConstraint('room_attendance_pkey', ['booking_id', 'party'])
    .execute()
  await db.schema.alterTable('bookings').dropColumn('video_token').execute()
}

