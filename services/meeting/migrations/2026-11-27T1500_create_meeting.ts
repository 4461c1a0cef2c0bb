import { sql, type Kysely } from 'kysely'

// Frozen in time: imports no app code.
export async function up(db: Kysely<any>): Promise<void> {
  // Catalog mentors as meeting needs them: the uid a mentor signs in with ↔ the public profile id.
  await db.schema
    .createTable('mentors')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('uid', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text')
    .addColumn('version_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('mentors_uid_idx').on('mentors').column('uid').execute()

  // Matches from matching.request.accepted / matching.match.ended.
  await db.schema
    .createTable('matches')
    .addColumn('match_id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('mentor_uid', 'text', (c) => c.notNull())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('matches_pair_idx').on('matches').columns(['mentee_uid', 'mentor_id']).execute()

  await db.schema
    .createTable('availability')
    .addColumn('mentor_id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentor_uid', 'text', (c) => c.notNull().unique())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('weekly', 'jsonb', (c) => c.notNull())
    .addColumn('overrides', 'jsonb', (c) => c.notNull())
    .addColumn('durations', sql`integer[]`, (c) => c.notNull())
    .addColumn('slot_interval_min', 'integer')
    .addColumn('buffer_before_min', 'integer', (c) => c.notNull())
    .addColumn('buffer_after_min', 'integer', (c) => c.notNull())
    .addColumn('min_notice_min', 'integer', (c) => c.notNull())
    .addColumn('horizon_days', 'integer', (c) => c.notNull())
    .addColumn('max_per_day', 'integer')
    .addColumn('price_per_hour', 'integer', (c) => c.notNull())
    .addColumn('full_refund_hours', 'integer', (c) => c.notNull())
    .addColumn('partial_refund_hours', 'integer', (c) => c.notNull())
    .addColumn('partial_refund_percent', 'integer', (c) => c.notNull())
    .addColumn('reschedule_notice_hours', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('bookings')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('held', 'confirmed', 'released', 'cancelled', 'rescheduled', 'completed', 'no_show')`),
    )
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('mentor_uid', 'text', (c) => c.notNull())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    // the mentor's calendar block, buffers (as they were when booked) included
    .addColumn('mentor_block', sql`tstzrange`, (c) => c.notNull())
    .addColumn('price', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('hold_expires_at', 'timestamptz')
    .addColumn('payment_id', 'uuid')
    .addColumn('video_token', 'text', (c) => c.unique())
    .addColumn('previous_id', 'uuid', (c) => c.references('bookings.id'))
    .addColumn('cancelled_by', 'text')
    .addColumn('reason', 'text')
    .addColumn('refund', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint('bookings_span_check', sql`ends_at > starts_at`)
    .execute()
  // The guarantee against double booking: no two active (held or confirmed) bookings of one mentor
  // overlap, buffers included, nor two of one mentee — whatever races the checks before the insert.
  await sql`alter table bookings add constraint bookings_mentor_no_overlap
    exclude using gist (mentor_id with =, mentor_block with &&) where (state in ('held', 'confirmed'))`.execute(db)
  await sql`alter table bookings add constraint bookings_mentee_no_overlap
    exclude using gist (mentee_uid with =, tstzrange(starts_at, ends_at) with &&) where (state in ('held', 'confirmed'))`.execute(db)
  await db.schema.createIndex('bookings_mentee_idx').on('bookings').columns(['mentee_uid', 'starts_at']).execute()
  await db.schema.createIndex('bookings_mentor_uid_idx').on('bookings').columns(['mentor_uid', 'starts_at']).execute()
  await sql`create index bookings_holds_idx on bookings (hold_expires_at) where state = 'held'`.execute(db)
  await sql`create index bookings_to_complete_idx on bookings (ends_at) where state = 'confirmed'`.execute(db)
  await sql`create unique index bookings_previous_idx on bookings (previous_id) where previous_id is not null`.execute(db)

  // One row per reminder still to send; the sweeper deletes it as it publishes (exactly once).
  await db.schema
    .createTable('reminders')
    .addColumn('booking_id', 'uuid', (c) => c.notNull().references('bookings.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('24h', '1h')`))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('reminders_pk', ['booking_id', 'kind'])
    .execute()
  await db.schema.createIndex('reminders_due_idx').on('reminders').column('due_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['reminders', 'bookings', 'availability', 'matches', 'mentors']) await db.schema.dropTable(table).execute()
}
