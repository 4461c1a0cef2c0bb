import { sql, type Kysely } from 'kysely'

// Frozen: public mentor profiles. Only status = 'active' rows are public and searchable.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mentors')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // the Firebase account; NULL for imported mentors
    .addColumn('uid', 'text', (c) => c.unique().references('users.uid'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('headline', 'text', (c) => c.notNull())
    .addColumn('bio', 'text', (c) => c.notNull())
    .addColumn('skills', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('company', 'text')
    .addColumn('years_experience', 'integer', (c) => c.notNull().check(sql`years_experience between 0 and 70`))
    // KRW per hour
    .addColumn('hourly_rate', 'integer', (c) => c.notNull().check(sql`hourly_rate >= 0`))
    // ISO 639-1
    .addColumn('languages', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Asia/Seoul'))
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'suspended')`))
    .addColumn('rating', sql`numeric(3,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('review_count', 'integer', (c) => c.notNull().defaultTo(0).check(sql`review_count >= 0`))
    // sum of all ratings, so the average is recomputed exactly after each review
    .addColumn('rating_total', sql`numeric(12,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mentors').execute()
}
