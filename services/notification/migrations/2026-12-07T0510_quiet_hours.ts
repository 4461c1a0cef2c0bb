import { sql, type Kysely } from 'kysely'

// Frozen: a person's quiet hours, local wall-clock times in their own zone ('HH:MM'; start > end spans
// midnight). Non-urgent email queued inside them waits for their end.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quiet_hours')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('starts', 'text', (c) => c.notNull().check(sql`starts ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`))
    .addColumn('ends', 'text', (c) => c.notNull().check(sql`ends ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('quiet_hours').execute()
}
