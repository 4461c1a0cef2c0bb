import { sql, type Kysely } from 'kysely'

// Frozen: what a mentee is looking for, and the mentors they asked not to be shown again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('preferences')
    .addColumn('mentee_uid', 'text', (c) => c.primaryKey())
    .addColumn('goals', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('skills', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('languages', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // KRW per hour; both or neither
    .addColumn('budget_min', 'integer')
    .addColumn('budget_max', 'integer')
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Asia/Seoul'))
    .addColumn('time_windows', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('career_stage', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'preferences_budget_check',
      sql`(budget_min is null and budget_max is null) or (budget_min >= 0 and budget_max >= budget_min)`,
    )
    .execute()

  await db.schema
    .createTable('hidden_mentors')
    .addColumn('mentee_uid', 'text', (c) => c.notNull())
    .addColumn('mentor_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('hidden_mentors_pkey', ['mentee_uid', 'mentor_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('hidden_mentors').execute()
  await db.schema.dropTable('preferences').execute()
}
