import type { Database, Tx } from '@sunbae/db'
import type { Auth } from 'firebase-admin/auth'
import { CatalogEvents, DEFAULT_LOCALE, DEFAULT_TIME_ZONE, type EventActor, type Identity, type Locale, type Me, type PutMeBody, type Role } from '@sunbae/contracts'
import { actorOf, AppError, type EventMeta, notFound } from '@sunbae/service-kit'
import type { FastifyInstance } from 'fastify'
import type { DB } from '../db/types.ts'
import { toProfileEvent } from '../mentors/mentors.mapper.ts'
import { MentorsRepository } from '../mentors/mentors.repository.ts'
import { assertTimezone } from '../mentors/timezones.ts'
import { UsersRepository } from './users.repository.ts'
import type { UserRow } from './users.table.ts'

const accountDeleted = () => new AppError(410, 'ACCOUNT_DELETED', 'This account was deleted')

export function toMe(row: UserRow): Me {
  return {
    uid: row.uid,
    email: row.email,
    displayName: row.display_name,
    photoUrl: row.photo_url,
    role: row.role as Role,
    locale: row.locale as Locale,
    timeZone: row.time_zone,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

/**
 * The seed's "Firebase ↔ SQL DB sync": the signed-in Firebase account mirrored into Postgres, with
 * `catalog.user.registered` published through the outbox the first time we see it.
 */
export class UsersService {
  readonly #db: Database<DB>
  readonly #repo: UsersRepository
  readonly #mentors: MentorsRepository
  readonly #events: FastifyInstance['events']
  readonly #auth: Auth

  constructor(db: Database<DB>, events: FastifyInstance['events'], auth: Auth) {
    this.#db = db
    this.#repo = new UsersRepository(db)
    this.#mentors = new MentorsRepository(db)
    this.#events = events
    this.#auth = auth
  }

  async get(uid: string): Promise<Me> {
    const row = await this.#repo.findByUid(uid)
    if (!row) throw notFound('Your account is not set up yet: call PUT /api/me first', 'ACCOUNT_NOT_FOUND')
    if (row.deleted_at) throw accountDeleted()
    return toMe(row)
  }

  async sync(identity: Identity, profile: PutMeBody): Promise<{ me: Me; created: boolean }> {
    assertTimezone(profile.timeZone, 'body/timeZone')
    const result = await this.#db.transaction().execute(async (trx) => {
      const before = await this.#repo.findByUid(identity.uid, trx)
      // a token issued before the deletion must not bring the account back
      if (before?.deleted_at) throw accountDeleted()
      const { row, inserted } = await this.#repo.upsert(
        {
          uid: identity.uid,
          email: identity.email,
          // a token without a name (an account Firebase knows no name for) keeps the one chosen here
          display_name: profile.displayName ?? identity.name ?? before?.display_name ?? null,
          photo_url: profile.photoUrl ?? identity.picture,
          // a PUT without them (each sign-in) keeps what the owner chose
          locale: profile.locale ?? before?.locale ?? DEFAULT_LOCALE,
          time_zone: profile.timeZone ?? before?.time_zone ?? DEFAULT_TIME_ZONE,
          role: identity.role,
        },
        trx,
      )
      // who a notification is addressed to, how it greets them, in which language and zone
      const data = {
        uid: row.uid,
        email: row.email,
        displayName: row.display_name,
        role: row.role as Role,
        locale: row.locale as Locale,
        timeZone: row.time_zone,
      }
      const meta: EventMeta = { actor: actorOf(identity), subject: { type: 'user', id: row.uid } }
      if (inserted) await this.#events.publish(trx, CatalogEvents.userRegistered, data, meta)
      const changed =
        !inserted &&
        before !== undefined &&
        (before.email !== row.email || before.display_name !== row.display_name || before.locale !== row.locale || before.time_zone !== row.time_zone)
      if (changed) await this.#events.publish(trx, CatalogEvents.userUpdated, data, meta)
      const renamedMentor = changed && before.display_name !== row.display_name && (await this.#renameMentor(row.uid, row.display_name, meta, trx))
      return { row, inserted, published: inserted || changed || renamedMentor }
    })
    if (result.published) this.#events.flushSoon()
    return { me: toMe(result.row), created: result.inserted }
  }

  /**
   * A mentor's public name is their account's (set at approval; the profile form has no name of its
   * own): a rename reaches the profile, and catalog.mentor.updated carries it to search, matching and
   * meeting. False when the account has no mentor profile or the name is already its.
   */
  async #renameMentor(uid: string, displayName: string | null, meta: EventMeta, trx: Tx<DB>): Promise<boolean> {
    if (!displayName) return false
    const mentor = await this.#mentors.findByUid(uid, trx, { forUpdate: true })
    if (!mentor || mentor.display_name === displayName) return false
    const updated = (await this.#mentors.update(mentor.id, { display_name: displayName }, trx))!
    await this.#events.publish(trx, CatalogEvents.mentorUpdated, toProfileEvent(updated), { actor: meta.actor, subject: { type: 'mentor', id: updated.id } })
    return true
  }

  /**
   * Changes a user's role everywhere it lives: the custom claim the gateway authorizes with, the
   * mirror, and the user's sessions (refresh tokens revoked, so the next token carries the new
   * claim; an account whose claim already is that role keeps its sessions). Firebase is called inside the DB transaction: if it fails, nothing is committed; if the
   * commit fails afterwards, running the same change again converges. With `opts.trx` the change
   * joins the caller's transaction (call it last there, so little can fail after Firebase changed).
   */
  async changeRole(
    target: { uid?: string; email?: string },
    role: Role,
    actor: EventActor,
    opts: { trx?: Tx<DB> } = {},
  ): Promise<{ me: Me; from: Role }> {
    const record = target.uid ? await this.#auth.getUser(target.uid) : await this.#auth.getUserByEmail(target.email ?? '')
    const work = async (trx: Tx<DB>) => {
      const existing = await this.#repo.findByUid(record.uid, trx)
      const from = (existing?.role as Role | undefined) ?? ((record.customClaims?.role as Role | undefined) ?? 'mentee')
      if (!existing) {
        await this.#repo.upsert(
          { uid: record.uid, email: record.email ?? null, display_name: record.displayName ?? null, photo_url: record.photoURL ?? null, role: from },
          trx,
        )
      }
      const row = await this.#repo.setRole(record.uid, role, trx)
      if (!row) throw notFound('No such user', 'USER_NOT_FOUND')
      if (from !== role) {
        await this.#events.publish(trx, CatalogEvents.userRoleChanged, { uid: row.uid, from, to: role }, { actor, subject: { type: 'user', id: row.uid } })
      }
      // Nothing to change in Firebase when the claim already says so: revoking anyway would sign the
      // account out everywhere on every idempotent run (npm run seed makes the demo admin each time).
      if (from !== role || record.customClaims?.role !== role) {
        await this.#auth.setCustomUserClaims(record.uid, { ...(record.customClaims ?? {}), role })
        await this.#auth.revokeRefreshTokens(record.uid)
      }
      return { row, from }
    }
    // Joining the caller's transaction (approval): the caller commits, then flushes the outbox.
    if (opts.trx) {
      const result = await work(opts.trx)
      return { me: toMe(result.row), from: result.from }
    }
    const result = await this.#db.transaction().execute(work)
    this.#events.flushSoon()
    return { me: toMe(result.row), from: result.from }
  }
}
