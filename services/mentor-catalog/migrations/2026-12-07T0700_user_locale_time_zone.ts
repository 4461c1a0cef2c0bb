import { sql, type Kysely } from 'kysely'

// Frozen: the language and time zone Sunbae writes to an account in (issue 18). Existing accounts
// get the defaults a new one gets.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('ko').check(sql`locale in ('ko', 'en')`))
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Asia/Seoul'))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('locale').dropColumn('time_zone').execute()
}
