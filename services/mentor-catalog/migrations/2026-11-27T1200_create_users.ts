import { sql, type Kysely } from 'kysely'

// Frozen: the account mirror of Firebase Auth users.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('display_name', 'text')
    .addColumn('photo_url', 'text')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('mentee').check(sql`role in ('mentee', 'mentor', 'admin')`))
    .addColumn('role_changed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  // Emails are unique per Firebase project; lookups by email serve the role CLI and admin search.
  await db.schema.createIndex('users_email_key').on('users').expression(sql`lower(email)`).unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('users').execute()
}
