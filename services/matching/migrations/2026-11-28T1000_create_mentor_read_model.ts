import { sql, type Kysely } from 'kysely'

// Frozen: matching's read model of mentors, built from catalog.mentor.* events (never from the
// catalog's schema). Each row remembers the event it came from so older or repeated events are
// ignored: profile and rating are versioned apart, because catalog.mentor.rated carries only the
// rating and may be applied before the profile it belongs to.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mentors')
    .addColumn('mentor_id', 'uuid', (c) => c.primaryKey())
    // the Firebase account; NULL for imported mentors (nobody can answer their requests)
    .addColumn('uid', 'text')
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('headline', 'text', (c) => c.notNull())
    .addColumn('bio', 'text', (c) => c.notNull())
    .addColumn('skills', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('company', 'text')
    .addColumn('years_experience', 'integer', (c) => c.notNull())
    .addColumn('hourly_rate', 'integer', (c) => c.notNull())
    .addColumn('languages', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'suspended')`))
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull())
    // occurredAt and id of the catalog event this row reflects: (at, id) orders events
    .addColumn('version_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version_id', 'uuid', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('mentors_uid_idx').on('mentors').column('uid').where(sql.ref('uid'), 'is not', null).execute()

  await db.schema
    .createTable('mentor_ratings')
    .addColumn('mentor_id', 'uuid', (c) => c.primaryKey())
    .addColumn('rating', sql`numeric(3,2)`, (c) => c.notNull())
    .addColumn('review_count', 'integer', (c) => c.notNull())
    .addColumn('version_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version_id', 'uuid', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mentor_ratings').execute()
  await db.schema.dropTable('mentors').execute()
}
