import type { Firestore } from 'firebase-admin/firestore'
import type { DomainEvent, UserDeletedV1 } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import type { AccountErasureRepository } from './account-erasure.repository.ts'

/** Firestore batches take at most 500 writes. */
const BATCH = 400

/**
 * catalog.user.deleted: notification forgets the person. Their in-app feed in Firestore
 * (users/{uid}/notifications) is deleted first — idempotent, and a failure throws before the SQL
 * commits, so the consumer retries the whole erasure — then, in the consumer's transaction, the
 * recipient row loses its address and name, their notifications, emails, switches, quiet hours and
 * unread counts go, and other people's notifications that named them say "Deleted user" (the feed
 * sync writes those documents again).
 */
export class AccountErasure {
  readonly #repo: AccountErasureRepository
  readonly #firestore: Firestore
  readonly #wakeFeed: () => void

  constructor(repo: AccountErasureRepository, firestore: Firestore, wakeFeed: () => void) {
    this.#repo = repo
    this.#firestore = firestore
    this.#wakeFeed = wakeFeed
  }

  async onUserDeleted(d: UserDeletedV1, e: Pick<DomainEvent, 'id' | 'occurredAt'>, ctx: { trx: Tx; afterCommit(fn: () => void): void }): Promise<{ notifications: number; renamed: number }> {
    const feed = this.#firestore.collection(`users/${d.uid}/notifications`)
    for (;;) {
      const page = await feed.limit(BATCH).get()
      if (page.empty) break
      const batch = this.#firestore.batch()
      for (const doc of page.docs) batch.delete(doc.ref)
      await batch.commit()
    }
    const name = await this.#repo.nameOf(d.uid, ctx.trx)
    const { notifications } = await this.#repo.erase(d.uid, { at: e.occurredAt, id: e.id }, ctx.trx)
    const renamed = name ? await this.#repo.renameInOthers(d.uid, name, ctx.trx) : 0
    if (renamed > 0) ctx.afterCommit(this.#wakeFeed)
    return { notifications, renamed }
  }
}
