import type { Kysely } from 'kysely'

// Frozen: the one-click unsubscribe URL of an email (RFC 8058 List-Unsubscribe), signed when it is
// queued; NULL for transactional mail, which cannot be unsubscribed from.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_outbox').addColumn('unsubscribe_url', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_outbox').dropColumn('unsubscribe_url').execute()
}
