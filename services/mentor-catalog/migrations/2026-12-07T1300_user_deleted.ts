import type { Kysely } from 'kysely'

// Frozen: a user who deleted their account (issue 21, PIPA / GDPR) stays as a tombstone — the uid
// and when, nothing personal — so a still-valid token cannot bring the account back through PUT /api/me.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('deleted_at', 'timestamptz').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('deleted_at').execute()
}
