import { sql, type Kysely } from 'kysely'

// Frozen: 1:1 chat requests, the matches they become, and each mentor's capacity.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mentor_settings')
    .addColumn('mentor_id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentor_uid', 'text', (c) => c.notNull())
    // maximum active mentees; NULL = no limit
    .addColumn('capacity', 'integer', (c) => c.check(sql`capacity between 1 and 100`))
    // kept in the same transaction as every match that starts or ends, under this row's lock
    .addColumn('active_mentees', 'integer', (c) => c.notNull().defaultTo(0).check(sql`active_mentees >= 0`))
    .addColumn('time_windows', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // NULL: the profile's time zone
    .addColumn('timezone', 'text')
    .addColumn('is_full', 'boolean', (c) => c.notNull().generatedAlwaysAs(sql`capacity is not null and active_mentees >= capacity`).stored())
    // NULL until the mentor saves settings (an accept creates the row to count mentees)
    .addColumn('updated_at', 'timestamptz')
    .execute()
  // recommendations leave full mentors out on every request: keep that list one index scan away
  await db.schema.createIndex('mentor_settings_full_idx').on('mentor_settings').column('mentor_id').where(sql.ref('is_full'), '=', true).execute()
  await db.schema.createIndex('mentor_settings_uid_idx').on('mentor_settings').column('mentor_uid').execute()

  await db.schema
    .createTable('requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('mentee_name', 'text')
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('mentor_uid', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`state in ('pending', 'accepted', 'declined', 'cancelled', 'expired')`),
    )
    .addColumn('reason', 'text')
    .addColumn('match_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .execute()
  // At most one open request per mentee and mentor, even when two arrive at once.
  await db.schema
    .createIndex('requests_one_open_per_pair_key')
    .on('requests')
    .columns(['mentee_uid', 'mentor_id'])
    .unique()
    .where(sql.ref('state'), '=', 'pending')
    .execute()
  await db.schema.createIndex('requests_mentee_created_idx').on('requests').columns(['mentee_uid', 'created_at']).execute()
  await db.schema.createIndex('requests_mentor_created_idx').on('requests').columns(['mentor_uid', 'created_at']).execute()
  // the sweeper's queue
  await db.schema.createIndex('requests_pending_expiry_idx').on('requests').column('expires_at').where(sql.ref('state'), '=', 'pending').execute()

  await db.schema
    .createTable('matches')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('request_id', 'uuid', (c) => c.notNull().unique().references('requests.id'))
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('mentor_uid', 'text', (c) => c.notNull())
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active').check(sql`state in ('active', 'ended')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .addColumn('ended_by', 'text', (c) => c.check(sql`ended_by in ('mentee', 'mentor')`))
    .addColumn('end_reason', 'text')
    .execute()
  await db.schema
    .createIndex('matches_one_active_per_pair_key')
    .on('matches')
    .columns(['mentor_id', 'mentee_uid'])
    .unique()
    .where(sql.ref('state'), '=', 'active')
    .execute()
  await db.schema.createIndex('matches_mentee_created_idx').on('matches').columns(['mentee_uid', 'created_at']).execute()
  await db.schema.createIndex('matches_mentor_created_idx').on('matches').columns(['mentor_uid', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('matches').execute()
  await db.schema.dropTable('requests').execute()
  await db.schema.dropTable('mentor_settings').execute()
}
