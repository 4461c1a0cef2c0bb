import { sql, type Kysely } from 'kysely'

// Frozen: the Postgres implementation of the chat mirror (used when MONGO_URL is unset), its sync
// checkpoints, and the ledger that makes chat.message.posted go out once per Firestore message.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rooms')
    // Firestore ids: the room id is the match id; message ids are Firestore's own
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('members', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('last_message_id', 'text')
    .addColumn('last_message_at', 'timestamptz')
    .execute()

  // One row per member: "my rooms" is an index lookup, and unread counts live next to it.
  await db.schema
    .createTable('room_members')
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0).check(sql`unread >= 0`))
    .addColumn('last_read_at', 'timestamptz')
    .addPrimaryKeyConstraint('room_members_pk', ['room_id', 'uid'])
    .execute()
  await db.schema.createIndex('room_members_uid_idx').on('room_members').columns(['uid', 'room_id']).execute()

  await db.schema
    .createTable('messages')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('author_uid', 'text')
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('user', 'system')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('hidden', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // Firestore's updatedAt of the version mirrored
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('mirrored_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('messages_pk', ['room_id', 'id'])
    .execute()
  // history pages: newest first, (created_at, id) as the cursor
  await db.schema.createIndex('messages_room_created_idx').on('messages').columns(['room_id', 'created_at desc', 'id desc']).execute()
  // admin search; 'simple' because messages are Korean and English (no stemming, no stop words)
  await sql`create index messages_text_idx on messages using gin (to_tsvector('simple', text))`.execute(db)

  await db.schema
    .createTable('sync_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  // Messages already announced with chat.message.posted, whichever mirror is in use.
  await db.schema
    .createTable('posted_messages')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('posted_messages_pk', ['room_id', 'message_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('posted_messages').execute()
  await db.schema.dropTable('sync_checkpoints').execute()
  await db.schema.dropTable('messages').execute()
  await db.schema.dropTable('room_members').execute()
  await db.schema.dropTable('rooms').execute()
}
