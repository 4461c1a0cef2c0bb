import { sql, type Kysely } from 'kysely'

// Frozen: tracking's tables. Every one is range-partitioned by the time the event happened, so
// retention drops whole partitions (no DELETE, no vacuum debt) and queries over a window touch only
// its partitions. The service creates the dated partitions itself (src/partitions); the DEFAULT
// partition only catches rows whose partition does not exist yet, so an insert never fails.
//
// The primary keys start with the partition key because Postgres requires unique indexes of a
// partitioned table to contain it; the event's own time is the same on every redelivery, so
// (time, id) deduplicates as well as id alone would.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per request through the gateway (drf-tracking's APIRequestLog, scrubbed).
  await sql`
    create table access_log (
      id uuid not null,
      requested_at timestamptz not null,
      request_id text not null,
      trace_id text,
      user_id text,
      method text not null,
      path text not null,
      route text,
      status smallint not null,
      response_ms double precision not null,
      remote_addr text not null,
      host text,
      query_params jsonb not null default '{}',
      body text,
      response_body text,
      error_code text,
      user_agent text,
      primary key (requested_at, id)
    ) partition by range (requested_at)`.execute(db)
  await sql`create table access_log_default partition of access_log default`.execute(db)
  // admins look up "what did this user do" and "what did this request id do"
  await sql`create index access_log_user_idx on access_log (user_id, requested_at) where user_id is not null`.execute(db)
  await sql`create index access_log_request_id_idx on access_log (request_id)`.execute(db)

  // One row per mentor search (telemetry.search).
  await sql`
    create table search_events (
      id uuid not null,
      occurred_at timestamptz not null,
      request_id text not null,
      trace_id text,
      user_id text,
      query text,
      keyword text,
      terms text[] not null default '{}',
      filters jsonb not null default '{}',
      sort text not null,
      page integer not null,
      page_size integer not null,
      result_count integer not null,
      latency_ms double precision not null,
      primary key (occurred_at, id)
    ) partition by range (occurred_at)`.execute(db)
  await sql`create table search_events_default partition of search_events default`.execute(db)

  // The audit trail: every domain event of every service (monthly partitions, longer retention).
  await sql`
    create table audit_events (
      event_id uuid not null,
      occurred_at timestamptz not null,
      type text not null,
      version integer not null,
      source text not null,
      actor_type text not null,
      actor_id text,
      actor_role text,
      entity_type text not null,
      entity_id text,
      payload jsonb not null,
      trace_id text,
      received_at timestamptz not null default now(),
      primary key (occurred_at, event_id)
    ) partition by range (occurred_at)`.execute(db)
  await sql`create table audit_events_default partition of audit_events default`.execute(db)
  await sql`create index audit_events_entity_idx on audit_events (entity_type, entity_id, occurred_at)`.execute(db)
  await sql`create index audit_events_actor_idx on audit_events (actor_id, occurred_at) where actor_id is not null`.execute(db)

  // Every 5xx of every service (telemetry.error). The stack stays here, never with a client.
  await sql`
    create table error_reports (
      id uuid not null,
      occurred_at timestamptz not null,
      service text not null,
      fingerprint text not null,
      request_id text,
      trace_id text,
      route text,
      method text,
      status smallint not null,
      code text not null,
      message text not null,
      stack text,
      primary key (occurred_at, id)
    ) partition by range (occurred_at)`.execute(db)
  await sql`create table error_reports_default partition of error_reports default`.execute(db)
  await sql`create index error_reports_fingerprint_idx on error_reports (fingerprint, occurred_at)`.execute(db)

  // Queries slower than SLOW_QUERY_MS anywhere (telemetry.slow_query); SQL already normalized.
  await sql`
    create table slow_queries (
      id uuid not null,
      occurred_at timestamptz not null,
      service text not null,
      sql text not null,
      sql_hash text not null,
      duration_ms double precision not null,
      trace_id text,
      primary key (occurred_at, id)
    ) partition by range (occurred_at)`.execute(db)
  await sql`create table slow_queries_default partition of slow_queries default`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['slow_queries', 'error_reports', 'audit_events', 'search_events', 'access_log']) {
    await db.schema.dropTable(table).ifExists().cascade().execute()
  }
}
