import { sql, type Kysely } from 'kysely'

// Frozen: completed sessions (projection of meeting.booking.completed) and the reviews they allow.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('completed_sessions')
    .addColumn('booking_id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    // the public mentor id; no foreign key: the event may arrive for a mentor this projection never saw
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentor_id', 'uuid', (c) => c.notNull().references('mentors.id'))
    // one review per session
    .addColumn('booking_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    // how the author was shown when writing it (the account mirror's display name then)
    .addColumn('author_name', 'text')
    .addColumn('rating', 'smallint', (c) => c.notNull().check(sql`rating between 1 and 5`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('reviews_mentor_created_idx').on('reviews').columns(['mentor_id', 'created_at desc', 'id desc']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reviews').execute()
  await db.schema.dropTable('completed_sessions').execute()
}
