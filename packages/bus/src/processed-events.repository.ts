import { sql } from 'kysely'
import type { BusDatabase, BusTx } from './outbox.repository.ts'

/**
 * A consumer's handling of one event: `work` runs in a transaction that first marks the event as
 * processed by `consumer`; when the mark already exists (a redelivery of a committed handling),
 * `work` does not run and the result is false.
 */
export function handleOnce(db: BusDatabase, consumer: string, eventId: string, work: (trx: BusTx) => Promise<void>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const mark = await trx
      .insertInto('processed_events')
      .values({ consumer, event_id: eventId })
      .onConflict((oc) => oc.doNothing())
      .returning('event_id')
      .executeTakeFirst()
    if (!mark) return false
    await work(trx)
    return true
  })
}

/**
 * Marks older than `before`, at most `limit` at a time (retention). Only safe past the longest
 * max age of the streams the service consumes: an event older than that can no longer be redelivered.
 */
export async function deleteProcessedBefore(db: BusDatabase, before: Date, limit: number): Promise<number> {
  const r = await sql`
    delete from processed_events where ctid in (
      select ctid from processed_events where processed_at < ${before} limit ${limit}
    )`.execute(db)
  return Number(r.numAffectedRows ?? 0)
}
