import { sql, type Kysely } from 'kysely'

// Frozen: unread chat per (person, room) for the digest — never one email per message. The first
// unread message opens a window (`due_at` = it + the digest delay); a read of the room closes it;
// the digest job sends one notification per person for every due window and closes them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('chat_unread')
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_unread_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz')
    .addColumn('last_read_at', 'timestamptz')
    .addPrimaryKeyConstraint('chat_unread_pkey', ['uid', 'room_id'])
    .execute()
  await db.schema.createIndex('chat_unread_due_idx').on('chat_unread').column('due_at').where(sql.ref('due_at'), 'is not', null).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chat_unread').execute()
}
