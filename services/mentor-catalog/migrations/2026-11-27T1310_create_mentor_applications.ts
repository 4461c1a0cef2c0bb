import { sql, type Kysely } from 'kysely'

// Frozen: applications to become a mentor, decided by an admin.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mentor_applications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('uid', 'text', (c) => c.notNull().references('users.uid'))
    .addColumn('headline', 'text', (c) => c.notNull())
    .addColumn('bio', 'text', (c) => c.notNull())
    .addColumn('skills', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('company', 'text')
    .addColumn('years_experience', 'integer', (c) => c.notNull())
    .addColumn('hourly_rate', 'integer', (c) => c.notNull())
    .addColumn('languages', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'approved', 'rejected')`))
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  // At most one pending application per account, even under concurrent submits.
  await db.schema
    .createIndex('mentor_applications_one_pending_key')
    .on('mentor_applications')
    .column('uid')
    .unique()
    .where(sql.ref('status'), '=', 'pending')
    .execute()
  await db.schema.createIndex('mentor_applications_status_created_idx').on('mentor_applications').columns(['status', 'created_at']).execute()
  await db.schema.createIndex('mentor_applications_uid_idx').on('mentor_applications').column('uid').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mentor_applications').execute()
}
