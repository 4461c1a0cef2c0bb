import { type Kysely } from 'kysely'

// Frozen in time: imports no app code.
//
// People's names as the catalog last said them (catalog.user.* events, issue 21: a rename reaches the
// mentor's inbox). A request keeps the name its mentee's token carried when it was sent; reads prefer
// this row. version_at / version_id are the (occurredAt, id) of the event the row reflects: an older
// event never replaces a newer one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account_names')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text')
    .addColumn('version_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_names').execute()
}
