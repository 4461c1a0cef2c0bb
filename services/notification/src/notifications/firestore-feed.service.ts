import { Timestamp, type Firestore } from 'firebase-admin/firestore'
import type { Transactions } from '../db/database.ts'
import type { NotificationsRepository } from './notifications.repository.ts'
import type { NotificationRow } from './notifications.table.ts'

/** The Firestore document of an in-app notification: what the web's bell and list listen to. */
export function feedDocument(n: NotificationRow) {
  return {
    id: n.id,
    type: n.event_type,
    category: n.category,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: Timestamp.fromDate(new Date(n.created_at)),
    readAt: n.read_at ? Timestamp.fromDate(new Date(n.read_at)) : null,
  }
}

/**
 * Mirrors in-app notifications to `users/{uid}/notifications/{id}`. Postgres is the source of
 * truth: a row is written (whole, so a rewrite is harmless) until its `firestore_synced_at` is set
 * by a transaction that committed after the write; the row is locked meanwhile, so a read mark
 * waits for it and then clears the mark, and the row is written again.
 */
export class FirestoreFeed {
  readonly #tx: Transactions
  readonly #repo: NotificationsRepository
  readonly #firestore: Firestore
  constructor(tx: Transactions, repo: NotificationsRepository, firestore: Firestore) {
    this.#tx = tx
    this.#repo = repo
    this.#firestore = firestore
  }

  /**
   * One batch: BEGIN, the rows taken and marked in one statement, one Firestore batch commit,
   * COMMIT. Rows other writers (here or in another replica) hold are skipped. Returns how many were written.
   */
  async syncBatch(limit: number): Promise<number> {
    return this.#tx.run(async (trx) => {
      const rows = await this.#repo.claimUnsynced(limit, trx)
      if (rows.length === 0) return 0
      const batch = this.#firestore.batch()
      for (const n of rows) batch.set(this.#firestore.doc(`users/${n.recipient_uid}/notifications/${n.id}`), feedDocument(n))
      await batch.commit()
      return rows.length
    })
  }
}
