import type { Identity } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'
import type { Preferences, PreferenceSwitch } from '../api.ts'
import { CATEGORIES, TRANSACTIONAL, type Category } from '../messages/categories.ts'
import type { PreferencesRepository } from './preferences.repository.ts'

/** Per category and channel; everything is on until switched off, transactional mail cannot be. */
export class PreferencesService {
  readonly #repo: PreferencesRepository
  constructor(repo: PreferencesRepository) {
    this.#repo = repo
  }

  async get(identity: Identity): Promise<Preferences> {
    const stored = await this.#repo.of(identity.uid)
    const off = new Set(stored.filter((s) => !s.enabled).map((s) => `${s.category}/${s.channel}`))
    return {
      items: CATEGORIES.map((category) => {
        const transactional = TRANSACTIONAL.has(category)
        return {
          category,
          transactional,
          inApp: transactional || !off.has(`${category}/in_app`),
          email: transactional || !off.has(`${category}/email`),
        }
      }),
    }
  }

  async put(identity: Identity, items: readonly PreferenceSwitch[]): Promise<Preferences> {
    const refused = items
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => !s.enabled && TRANSACTIONAL.has(s.category as Category))
    if (refused.length > 0) {
      throw new AppError(400, 'TRANSACTIONAL_CATEGORY', 'Receipts and refunds are always sent: they cannot be switched off', {
        details: refused.map(({ s, i }) => ({ field: `body/items/${i}/enabled`, message: `${s.category} is transactional` })),
      })
    }
    await this.#repo.save(identity.uid, items)
    return this.get(identity)
  }
}
