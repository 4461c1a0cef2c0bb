import { sql, type Kysely } from 'kysely'

// Frozen in time: imports no app code.
//
// An admin may end a match (issue 21): ended_by takes 'admin' besides its two parties.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table matches drop constraint matches_ended_by_check`.execute(db)
  await sql`alter table matches add constraint matches_ended_by_check check (ended_by in ('mentee', 'mentor', 'admin'))`.execute(db)
}
