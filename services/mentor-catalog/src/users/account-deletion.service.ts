import type { Database, Tx } from '@sunbae/db'
import type { Auth } from 'firebase-admin/auth'
import type { FastifyInstance } from 'fastify'
import { CatalogEvents, type Identity } from '@sunbae/contracts'
import { actorOf } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { toProfileEvent } from '../mentors/mentors.mapper.ts'
import { AccountDeletionRepository } from './account-deletion.repository.ts'

/**
 * A user deletes their own account (PIPA / GDPR), in this order:
 *
 * 1. One transaction erases what the catalog holds and writes the events to the outbox: the user row
 *    becomes a tombstone (uid and `deleted_at`, no email, name or photo — so a token still in flight
 *    cannot bring the account back through PUT /api/me), a mentor profile is suspended (out of search
 *    and the mentor page) and blanked, its photo deleted, with `catalog.mentor.suspended` (reason "account deleted", so the
 *    read models of matching, meeting and notification drop the name too), applications are removed,
 *    reviews the user wrote lose the author's name (their ratings stay in the average), and
 *    `catalog.user.deleted` tells every other service to erase or anonymise what it holds.
 * 2. After the commit the Firebase account is deleted. If Firebase fails then, nothing is lost: the
 *    catalog consumes its own `catalog.user.deleted` (subscriptions.ts) and deletes the Firebase account
 *    there, retried with back-off until it succeeds; "no such user" counts as done, so both paths and
 *    any redelivery are idempotent.
 *
 * Firebase is deliberately not called inside the transaction (as disable does): a deletion the user
 * asked for must not be lost to a Firebase outage, and the gateway refuses the account's tokens from
 * the event on, whether or not the Firebase account is gone yet.
 */
export class AccountDeletionService {
  readonly #db: Database<DB>
  readonly #repo: AccountDeletionRepository
  readonly #events: FastifyInstance['events']
  readonly #auth: Auth
  readonly #log: FastifyInstance['log']

  constructor(db: Database<DB>, events: FastifyInstance['events'], auth: Auth, log: FastifyInstance['log']) {
    this.#db = db
    this.#repo = new AccountDeletionRepository(db)
    this.#events = events
    this.#auth = auth
    this.#log = log
  }

  /** Deletes the signed-in user's account. Deleting an account already deleted publishes nothing again. */
  async deleteOwn(identity: Identity): Promise<{ deletedAt: string }> {
    const uid = identity.uid
    const actor = actorOf(identity)
    const now = new Date()
    const result = await this.#db.transaction().execute(async (trx: Tx<DB>) => {
      const before = await this.#repo.findForUpdate(uid, trx)
      if (before?.deleted_at) return { deletedAt: new Date(before.deleted_at), published: false }
      await this.#repo.tombstone(uid, now, trx)
      const mentor = await this.#repo.eraseMentor(uid, now, trx)
      if (mentor) {
        await this.#events.publish(trx, CatalogEvents.mentorSuspended, { ...toProfileEvent(mentor), reason: 'account deleted' }, { actor, subject: { type: 'mentor', id: mentor.id } })
      }
      const applications = await this.#repo.deleteApplications(uid, trx)
      const reviews = await this.#repo.anonymiseReviews(uid, trx)
      await this.#events.publish(trx, CatalogEvents.userDeleted, { uid, deletedAt: now.toISOString() }, { actor, subject: { type: 'user', id: uid } })
      this.#log.info({ uid, mentor: mentor?.id ?? null, applications, reviews }, 'account deleted: catalog data erased')
      return { deletedAt: now, published: true }
    })
    if (result.published) this.#events.flushSoon()
    // best effort here; the catalog's consumer of catalog.user.deleted makes sure of it
    await this.deleteFirebaseAccount(uid).catch((err: unknown) => this.#log.warn({ err, uid }, 'Firebase account not deleted yet; the catalog.user.deleted consumer retries'))
    return { deletedAt: result.deletedAt.toISOString() }
  }

  /** Deletes the Firebase account; one that is already gone is done (idempotent on retry and redelivery). */
  async deleteFirebaseAccount(uid: string): Promise<'deleted' | 'gone'> {
    try {
      await this.#auth.deleteUser(uid)
      return 'deleted'
    } catch (err) {
      if ((err as { code?: string }).code === 'auth/user-not-found') return 'gone'
      throw err
    }
  }
}
