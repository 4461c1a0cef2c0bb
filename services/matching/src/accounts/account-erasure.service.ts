import type { DomainEvent, UserDeletedV1 } from '@sunbae/contracts'
import type { Tx } from '@sunbae/db'
import type { DB } from '../db/types.ts'
import type { AccountErasureRepository } from './account-erasure.repository.ts'
import type { AccountNamesRepository } from './account-names.repository.ts'

/**
 * catalog.user.deleted in matching: the account's name becomes null as of the deletion (newer than any
 * rename, so a late or redelivered rename cannot bring it back), requests keep their state without the
 * name and message, preferences, hidden mentors and mentor settings go. Idempotent on redelivery.
 */
export class AccountErasure {
  readonly #names: AccountNamesRepository
  readonly #repo: AccountErasureRepository
  constructor(names: AccountNamesRepository, repo: AccountErasureRepository) {
    this.#names = names
    this.#repo = repo
  }

  async onUserDeleted(d: UserDeletedV1, event: Pick<DomainEvent, 'id' | 'occurredAt'>, trx: Tx<DB>): Promise<{ requests: number }> {
    await this.#names.upsert(d.uid, null, { at: event.occurredAt, id: event.id.toLowerCase() }, trx)
    return this.#repo.erase(d.uid, trx)
  }
}
