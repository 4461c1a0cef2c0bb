import { sql } from 'kysely'
import type { Database, Tx } from '../db/database.ts'

/** All Kysely code of provider webhooks: the ids seen, and the windows of claims asked about. */
export class WebhooksRepository {
  readonly #db: Database
  constructor(db: Database) {
    this.#db = db
  }

  /** Records a provider event id: true the first time, false for a replay. */
  async record(provider: string, eventId: string, type: string, tx: Tx): Promise<boolean> {
    const fresh = await tx
      .insertInto('webhook_events')
      .values({ provider, event_id: eventId, type })
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst()
    return fresh !== undefined
  }

  /**
   * Opens the window of a webhook claim unless one is open: true for the first body with this claim
   * within `seconds` (across replicas: one row per claim), false for the repeats.
   */
  async openWindow(provider: string, key: string, seconds: number): Promise<boolean> {
    const row = await this.#db
      .insertInto('webhook_windows')
      .values({ provider, key, until: sql<Date>`now() + make_interval(secs => ${seconds})` })
      .onConflict((oc) =>
        oc
          .columns(['provider', 'key'])
          .doUpdateSet({ until: sql<Date>`now() + make_interval(secs => ${seconds})` })
          .where('webhook_windows.until', '<=', sql<Date>`now()`),
      )
      .returning('key')
      .executeTakeFirst()
    return row !== undefined
  }

  /** The claim could not be acted on (the provider did not answer): its next delivery is not a repeat. */
  async closeWindow(provider: string, key: string): Promise<void> {
    await this.#db.deleteFrom('webhook_windows').where('provider', '=', provider).where('key', '=', key).execute()
  }

  async purgeWindows(): Promise<number> {
    const r = await this.#db.deleteFrom('webhook_windows').where('until', '<=', sql<Date>`now()`).executeTakeFirst()
    return Number(r.numDeletedRows)
  }
}
