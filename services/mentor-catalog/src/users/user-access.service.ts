import type { Database, Tx } from '@sunbae/db'
import type { Auth, UserRecord } from 'firebase-admin/auth'
import type { FastifyInstance } from 'fastify'
import { CatalogEvents, ROLES, type AdminUser, type AccountStatus, type EventActor, type Paged, type Role } from '@sunbae/contracts'
import { conflict, notFound } from '@sunbae/service-kit'
import type { DB } from '../db/types.ts'
import { UserAccessRepository } from './user-access.repository.ts'
import { UsersRepository } from './users.repository.ts'
import type { UserRow } from './users.table.ts'

/** firebase-admin's getUsers takes at most 100 identifiers a call (one call per page of the list). */
const FIREBASE_BATCH = 100

const userNotFound = () => notFound('No such user', 'USER_NOT_FOUND')

function toAdminUser(row: UserRow, lastSignIn: string | null): AdminUser {
  return {
    uid: row.uid,
    email: row.email,
    displayName: row.display_name,
    role: row.role as Role,
    status: row.deleted_at ? 'deleted' : row.disabled_at ? 'disabled' : 'enabled',
    disabledAt: row.disabled_at ? new Date(row.disabled_at).toISOString() : null,
    disabledReason: row.disabled_reason,
    deletedAt: row.deleted_at ? new Date(row.deleted_at).toISOString() : null,
    lastSignInAt: lastSignIn,
    createdAt: new Date(row.created_at).toISOString(),
  }
}

/**
 * Admin over accounts: the list (with Firebase's own last sign-in) and disable / enable. Disabling
 * disables the Firebase account (no new sign-in, no token refresh), revokes its refresh tokens and
 * publishes `catalog.user.disabled`, which every gateway replica follows to refuse the ID tokens the
 * user still holds at once (gateway/src/plugins/app/revocations.ts).
 *
 * Last sign-in comes from Firebase Auth's user metadata rather than being recorded here: Firebase is
 * where sign-ins happen and it records every one (password, Google, a link), while the catalog only
 * sees an account when its client calls PUT /api/me; a second record would drift from the first.
 */
export class UserAccessService {
  readonly #db: Database<DB>
  readonly #repo: UserAccessRepository
  readonly #users: UsersRepository
  readonly #events: FastifyInstance['events']
  readonly #auth: Auth
  readonly #log: FastifyInstance['log']

  constructor(db: Database<DB>, events: FastifyInstance['events'], auth: Auth, log: FastifyInstance['log']) {
    this.#db = db
    this.#repo = new UserAccessRepository(db)
    this.#users = new UsersRepository(db)
    this.#events = events
    this.#auth = auth
    this.#log = log
  }

  async search(query: { q?: string; role?: Role; status?: AccountStatus; page: number; pageSize: number }): Promise<Paged<AdminUser>> {
    const { rows, total } = await this.#repo.search(query)
    const signIns = await this.#lastSignIns(rows.map((r) => r.uid))
    return { items: rows.map((r) => toAdminUser(r, signIns.get(r.uid) ?? null)), total, page: query.page, pageSize: query.pageSize }
  }

  async get(uid: string): Promise<AdminUser> {
    const row = await this.#users.findByUid(uid)
    if (!row) throw userNotFound()
    const signIns = await this.#lastSignIns([uid])
    return toAdminUser(row, signIns.get(uid) ?? null)
  }

  /**
   * Firebase's record of each account's last sign-in. The list is still useful without it: when
   * Firebase does not answer, the column is empty and the failure is logged.
   */
  async #lastSignIns(uids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (let i = 0; i < uids.length; i += FIREBASE_BATCH) {
      try {
        const { users } = await this.#auth.getUsers(uids.slice(i, i + FIREBASE_BATCH).map((uid) => ({ uid })))
        for (const u of users) {
          const at = u.metadata.lastSignInTime ? new Date(u.metadata.lastSignInTime) : null
          if (at && !Number.isNaN(at.getTime())) out.set(u.uid, at.toISOString())
        }
      } catch (err) {
        this.#log.warn({ err }, 'last sign-in times could not be read from Firebase Auth')
      }
    }
    return out
  }

  disable(uid: string, reason: string, actor: EventActor): Promise<AdminUser> {
    if (actor.id === uid) throw conflict('An admin cannot disable their own account', 'CANNOT_DISABLE_SELF')
    return this.#setAccess(uid, { disabled: true, reason, actor })
  }

  enable(uid: string, reason: string, actor: EventActor): Promise<AdminUser> {
    return this.#setAccess(uid, { disabled: false, reason, actor })
  }

  /**
   * Firebase is changed inside the DB transaction (as role changes are): if it fails, nothing is
   * committed and nothing published; if the commit fails afterwards, running the same action again
   * converges. Setting the state it already has changes nothing and publishes nothing.
   */
  async #setAccess(uid: string, change: { disabled: boolean; reason: string; actor: EventActor }): Promise<AdminUser> {
    // a deleted account has no Firebase account left to disable or enable
    if ((await this.#users.findByUid(uid))?.deleted_at) throw conflict('The owner deleted this account: there is nothing to disable or enable', 'ACCOUNT_DELETED')
    const record = await this.#auth.getUser(uid).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'auth/user-not-found') throw userNotFound()
      throw err
    })
    const now = new Date()
    const result = await this.#db.transaction().execute(async (trx: Tx<DB>) => {
      let row = await this.#repo.findForUpdate(uid, trx)
      if (!row) {
        // an account that never called PUT /api/me: mirror it first, so it is listed with its state
        await this.#users.upsert(mirrorOf(record), trx)
        row = (await this.#repo.findForUpdate(uid, trx))!
      }
      const isDisabled = row.disabled_at !== null
      if (isDisabled === change.disabled) {
        // the mirror already says so; make sure Firebase does too (an earlier attempt may have failed half-way)
        if (record.disabled !== change.disabled) await this.#auth.updateUser(uid, { disabled: change.disabled })
        return { row, published: false }
      }
      const updated = (await this.#repo.setDisabled(uid, change.disabled ? { at: now, reason: change.reason } : null, trx))!
      const meta = { actor: change.actor, subject: { type: 'user', id: uid } }
      if (change.disabled) {
        await this.#events.publish(trx, CatalogEvents.userDisabled, { uid, reason: change.reason, disabledAt: now.toISOString() }, meta)
      } else {
        await this.#events.publish(trx, CatalogEvents.userEnabled, { uid, reason: change.reason, enabledAt: now.toISOString() }, meta)
      }
      await this.#auth.updateUser(uid, { disabled: change.disabled })
      if (change.disabled) await this.#auth.revokeRefreshTokens(uid)
      return { row: updated, published: true }
    })
    if (result.published) this.#events.flushSoon()
    return toAdminUser(result.row, lastSignInOf(record))
  }
}

const mirrorOf = (r: UserRecord) => ({
  uid: r.uid,
  email: r.email ?? null,
  display_name: r.displayName ?? null,
  photo_url: r.photoURL ?? null,
  role: ROLES.includes(r.customClaims?.role as Role) ? (r.customClaims!.role as Role) : 'mentee',
})

const lastSignInOf = (r: UserRecord): string | null => {
  const at = r.metadata.lastSignInTime ? new Date(r.metadata.lastSignInTime) : null
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : null
}

