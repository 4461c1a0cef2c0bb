import { sql, type Kysely } from 'kysely'

// Frozen: notification's tables.
// - recipients: a read model of accounts from catalog.user.* (and a mentor's time zone from
//   catalog.mentor.*), never read from the catalog's schema. Each group of fields remembers the
//   event it came from ((at, id) orders events), so repeated or reordered events change nothing.
// - notifications: one row per (event, recipient, channel) — the unique key is what makes
//   redelivery and two replicas harmless. In-app rows are mirrored to Firestore after commit
//   (firestore_synced_at NULL = still to write).
// - email_outbox: one row per email notification, sent by a periodic job (lease + SKIP LOCKED).
// - preferences: only the switches a user changed; absent means on.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recipients')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('display_name', 'text')
    .addColumn('locale', 'text', (c) => c.check(sql`locale in ('ko', 'en')`))
    .addColumn('time_zone', 'text')
    .addColumn('profile_version_at', 'timestamptz')
    .addColumn('profile_version_id', 'uuid')
    .addColumn('role', 'text')
    .addColumn('role_version_at', 'timestamptz')
    .addColumn('role_version_id', 'uuid')
    // a mentor's profile time zone (catalog.mentor.*), used when the account has none
    .addColumn('mentor_time_zone', 'text')
    .addColumn('mentor_version_at', 'timestamptz')
    .addColumn('mentor_version_id', 'uuid')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('recipient_uid', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('in_app', 'email')`))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .addColumn('firestore_synced_at', 'timestamptz')
    .addUniqueConstraint('notifications_event_recipient_channel_key', ['event_id', 'recipient_uid', 'channel'])
    .execute()
  // the feed: newest first per recipient (ids are UUIDv7, so id order is time order)
  await db.schema.createIndex('notifications_feed_idx').on('notifications').columns(['recipient_uid', 'id desc']).where(sql.ref('channel'), '=', 'in_app').execute()
  await db.schema.createIndex('notifications_unread_idx').on('notifications').column('recipient_uid').where(sql<boolean>`channel = 'in_app' and read_at is null`).execute()
  await db.schema.createIndex('notifications_unsynced_idx').on('notifications').column('id').where(sql<boolean>`channel = 'in_app' and firestore_synced_at is null`).execute()

  await db.schema
    .createTable('email_outbox')
    .addColumn('notification_id', 'uuid', (c) => c.primaryKey().references('notifications.id').onDelete('cascade'))
    .addColumn('recipient_uid', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // a sender that claimed the row holds it until then; a crash frees it when it passes
    .addColumn('lease_until', 'timestamptz')
    .addColumn('to_address', 'text')
    .addColumn('last_error', 'text')
    .addColumn('smtp_response', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('email_outbox_due_idx').on('email_outbox').column('next_attempt_at').where(sql.ref('status'), '=', 'pending').execute()

  await db.schema
    .createTable('preferences')
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('in_app', 'email')`))
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('preferences_pkey', ['uid', 'category', 'channel'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('preferences').execute()
  await db.schema.dropTable('email_outbox').execute()
  await db.schema.dropTable('notifications').execute()
  await db.schema.dropTable('recipients').execute()
}
