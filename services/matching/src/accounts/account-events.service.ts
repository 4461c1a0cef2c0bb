import type { DomainEvent, UserAccountV1 } from '@sunbae/contracts'
import type { Tx } from '@sunbae/db'
import type { DB } from '../db/types.ts'
import type { AccountNamesRepository } from './account-names.repository.ts'

/** What matching does with the catalog's account events (subscriptions.ts). */
export class AccountEventHandlers {
  readonly #names: AccountNamesRepository
  constructor(names: AccountNamesRepository) {
    this.#names = names
  }

  /**
   * catalog.user.registered / updated: the account's name as of this event. The mentor's inbox and
   * both parties' match lists show it from then on, also on requests sent before the rename.
   */
  async onUserNamed(d: UserAccountV1, event: Pick<DomainEvent, 'id' | 'occurredAt'>, trx: Tx<DB>): Promise<void> {
    await this.#names.upsert(d.uid, d.displayName, { at: event.occurredAt, id: event.id.toLowerCase() }, trx)
  }
}
