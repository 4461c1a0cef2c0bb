import { sql, type Kysely } from 'kysely'

// Frozen: booking emails carry calendar entries. `calendar` is the invite itself ({ method, content }:
// sent as a text/calendar alternative with that METHOD, what mail clients offer to add or remove);
// `attachments` are further .ics files ([{ filename, content }], e.g. the cancellation of the old
// time when a session moves).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('email_outbox')
    .addColumn('calendar', 'jsonb')
    .addColumn('attachments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_outbox').dropColumn('attachments').dropColumn('calendar').execute()
}
