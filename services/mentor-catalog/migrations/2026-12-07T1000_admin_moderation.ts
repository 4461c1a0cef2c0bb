import { sql, type Kysely } from 'kysely'

// Frozen: what the admin area needs (issue 21).
// - mentors: when and why the status last changed, so the admin list can show every suspended
//   mentor however long ago (and sort by it) without the audit trail's time window;
// - users: an account an admin disabled, and why (the Firebase account is disabled too);
// - reviews: a review an admin hid from the mentor page, and why.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('mentors')
    .addColumn('status_changed_at', 'timestamptz')
    .addColumn('status_reason', 'text')
    .execute()
  // before this column a status changed only by approval, suspension or reinstatement; the last
  // write is the best estimate there is of when (approval for active mentors never touched since)
  await sql`update mentors set status_changed_at = case when status = 'active' then approved_at else updated_at end`.execute(db)
  await sql`alter table mentors alter column status_changed_at set not null, alter column status_changed_at set default now()`.execute(db)
  await db.schema.createIndex('mentors_status_changed_idx').on('mentors').columns(['status', 'status_changed_at desc', 'id']).execute()

  await db.schema
    .alterTable('users')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('disabled_reason', 'text')
    .execute()

  await db.schema
    .alterTable('reviews')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('hidden_reason', 'text')
    .execute()
  await db.schema.createIndex('reviews_created_idx').on('reviews').columns(['created_at desc', 'id desc']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('reviews_created_idx').execute()
  await db.schema.alterTable('reviews').dropColumn('hidden_at').dropColumn('hidden_reason').execute()
  await db.schema.alterTable('users').dropColumn('disabled_at').dropColumn('disabled_reason').execute()
  await db.schema.dropIndex('mentors_status_changed_idx').execute()
  await db.schema.alterTable('mentors').dropColumn('status_changed_at').dropColumn('status_reason').execute()
}
