import type { DomainEvent, MentorProfileV1, UserAccountV1, UserRoleChangedV1 } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import type { RecipientsRepository, Version } from './recipients.repository.ts'

type Stamp = Pick<DomainEvent, 'id' | 'occurredAt'>
const version = (e: Stamp): Version => ({ at: e.occurredAt, id: e.id })

/** What the catalog subscription does: keep the recipients read model (who, where, which language). */
export class RecipientEventHandlers {
  readonly #repo: RecipientsRepository
  constructor(repo: RecipientsRepository) {
    this.#repo = repo
  }

  async onUserRegistered(d: UserAccountV1, e: Stamp, trx: Tx): Promise<void> {
    await this.#repo.upsertProfile(d, version(e), trx)
  }

  async onUserUpdated(d: UserAccountV1, e: Stamp, trx: Tx): Promise<void> {
    await this.#repo.upsertProfile(d, version(e), trx)
  }

  async onUserRoleChanged(d: UserRoleChangedV1, e: Stamp, trx: Tx): Promise<void> {
    await this.#repo.upsertRole(d.uid, d.to, version(e), trx)
  }

  /** A mentor's profile says their public id and time zone; imported mentors have no account to notify. */
  async onMentorProfile(d: MentorProfileV1, e: Stamp, trx: Tx): Promise<void> {
    if (d.uid) await this.#repo.upsertMentor(d.uid, d.id.toLowerCase(), d.timezone, version(e), trx)
  }
}
