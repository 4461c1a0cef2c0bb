import type { Insertable } from 'kysely'
import type { DB } from '../db/types.ts'

/**
 * Rows as the ingest writes them: times as ISO strings and jsonb columns as JSON text, because
 * a batch travels to Postgres as text — COPY's text format, or array elements (ingest.repository.ts).
 */
type Wire<T> = { [K in keyof T]-?: Exclude<T[K], Date | undefined> }

export type AccessRow = Wire<Omit<Insertable<DB['access_log']>, 'query_params'>> & { query_params: string }
export type SearchRow = Wire<Omit<Insertable<DB['search_events']>, 'filters' | 'terms'>> & { filters: string; terms: string[] }
export type AuditRow = Wire<Omit<Insertable<DB['audit_events']>, 'payload' | 'received_at'>> & { payload: string }
export type ErrorRow = Wire<Insertable<DB['error_reports']>>
export type SlowQueryRow = Wire<Insertable<DB['slow_queries']>>
