import { sql, type Kysely } from 'kysely'

// Frozen: mentor photos (issue 23). The catalog keeps only the square WebP copies it made (a few
// tens of KB each; the upload itself is not kept), one row per size, and the content hash of the
// set on the mentor, so profile reads, search and events carry the photo's URL without a join.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mentors').addColumn('photo_hash', 'text').execute()
  await db.schema
    .createTable('mentor_photos')
    .addColumn('mentor_id', 'uuid', (c) => c.notNull().references('mentors.id').onDelete('cascade'))
    // px, square
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size > 0`))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('image', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('mentor_photos_pkey', ['mentor_id', 'size'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mentor_photos').execute()
  await db.schema.alterTable('mentors').dropColumn('photo_hash').execute()
}
