import type { EventActor } from '@sunbae/contracts'
import type { Database } from '@sunbae/db'
import type { Auth } from 'firebase-admin/auth'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from './mentors.repository.ts'
import type { MentorsService } from './mentors.service.ts'

/** Why a mentor was suspended by the reconciliation (shown to admins with the status). */
export const ORPHAN_REASON = 'The Firebase account of this mentor no longer exists'

/** Firebase Auth's getUsers takes at most 100 identifiers a call. */
const PAGE = 100

/**
 * Mentors whose Firebase account is gone (deleted in Firebase, or a local Auth emulator that lost
 * its data) must not stay searchable: nobody can sign in as them, answer their requests or run their
 * sessions. Each active mentor with an account is looked up in Firebase Auth, 100 at a time; the ones
 * it does not know are suspended the usual way (catalog.mentor.suspended, so search and every read
 * model drop them) with ORPHAN_REASON. Idempotent: a second run finds nothing to do.
 */
export class OrphanMentors {
  readonly #repo: MentorsRepository
  readonly #mentors: MentorsService
  readonly #auth: Auth

  constructor(db: Database<DB>, mentors: MentorsService, auth: Auth) {
    this.#repo = new MentorsRepository(db)
    this.#mentors = mentors
    this.#auth = auth
  }

  async suspendOrphans(actor: EventActor): Promise<{ checked: number; suspended: Array<{ id: string; uid: string }> }> {
    const suspended: Array<{ id: string; uid: string }> = []
    let checked = 0
    let after: string | null = null
    for (;;) {
      const page = await this.#repo.activeWithAccount(after, PAGE)
      if (page.length === 0) break
      after = page.at(-1)!.id
      checked += page.length
      const { notFound } = await this.#auth.getUsers(page.map((m) => ({ uid: m.uid })))
      const gone = new Set(notFound.map((id) => ('uid' in id ? id.uid : '')))
      for (const m of page) {
        if (!gone.has(m.uid)) continue
        await this.#mentors.suspend(m.id, ORPHAN_REASON, actor)
        suspended.push(m)
      }
    }
    return { checked, suspended }
  }
}
