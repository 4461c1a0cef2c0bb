import { sql, type Kysely } from 'kysely'

// Frozen: a mentor's public id next to their account, from catalog.mentor.* — events that name a
// mentor only by that id (catalog.review.created) find the person to tell.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('recipients').addColumn('mentor_id', 'uuid').execute()
  await db.schema.createIndex('recipients_mentor_id_idx').on('recipients').column('mentor_id').where(sql.ref('mentor_id'), 'is not', null).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('recipients').dropColumn('mentor_id').execute()
}
