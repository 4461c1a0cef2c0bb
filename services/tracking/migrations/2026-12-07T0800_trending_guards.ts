import { sql, type Kysely } from 'kysely'

// Frozen: what keeps the public trending list from being poisoned (issue 20, item 4).
// - search_events.client_ip: the client's address for an anonymous search (SearchPerformedV1's
//   optional `clientIp`), so a term counts only once enough distinct users *or addresses* searched
//   it; null for signed-in searches and for events from producers that did not send it.
// - hidden_terms: the blocklist admins keep; a hidden term is never in the public list.
export async function up(db: Kysely<any>): Promise<void> {
  // on the partitioned parent: Postgres adds it to every partition (nullable, no rewrite)
  await sql`alter table search_events add column client_ip text`.execute(db)
  await sql`
    create table hidden_terms (
      term text primary key,
      reason text not null,
      hidden_by text not null,
      hidden_at timestamptz not null default now()
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('hidden_terms').ifExists().execute()
  await sql`alter table search_events drop column if exists client_ip`.execute(db)
}
