import type { Identity, NotificationPreferences, PutNotificationPreferencesBody, UnsubscribeResult } from '@sunbae/contracts'
import { AppError } from '@sunbae/service-kit'
import { CATEGORIES, TRANSACTIONAL, type Category } from '../messages/categories.ts'
import type { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token.ts'
import type { PreferencesRepository } from './preferences.repository.ts'

const invalidToken = () => new AppError(400, 'INVALID_UNSUBSCRIBE_TOKEN', 'This unsubscribe link is not valid (it may have been changed)')

/** Per category and channel; everything is on until switched off, transactional mail cannot be. */
export class PreferencesService {
  readonly #repo: PreferencesRepository
  readonly #tokens: UnsubscribeTokens
  constructor(repo: PreferencesRepository, tokens: UnsubscribeTokens) {
    this.#repo = repo
    this.#tokens = tokens
  }

  /** What a signed link would switch off, and whether it is off already (the landing page's question; changes nothing). */
  async unsubscribeStatus(token: string): Promise<UnsubscribeResult> {
    const claim = this.#claim(token)
    const off = (await this.#repo.forCategory(claim.uid, claim.category)).some((s) => s.channel === 'email' && !s.enabled)
    return { category: claim.category, unsubscribed: off }
  }

  /** RFC 8058 one-click: the link's signature is the authority; the category's email goes off. Idempotent. */
  async unsubscribe(token: string): Promise<UnsubscribeResult> {
    const claim = this.#claim(token)
    await this.#repo.save(claim.uid, [{ category: claim.category, channel: 'email', enabled: false }])
    return { category: claim.category, unsubscribed: true }
  }

  #claim(token: string): { uid: string; category: Category } {
    const claim = this.#tokens.verify(token)
    // transactional categories never get a link; a signed one for them is still refused
    if (!claim || !(CATEGORIES as readonly string[]).includes(claim.category) || TRANSACTIONAL.has(claim.category as Category)) throw invalidToken()
    return { uid: claim.uid, category: claim.category as Category }
  }

  async get(identity: Identity): Promise<NotificationPreferences> {
    const [stored, quiet] = await Promise.all([this.#repo.of(identity.uid), this.#repo.quietHours(identity.uid)])
    const off = new Set(stored.filter((s) => !s.enabled).map((s) => `${s.category}/${s.channel}`))
    return {
      quietHours: quiet ? { start: quiet.starts, end: quiet.ends } : null,
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

  async put(identity: Identity, body: PutNotificationPreferencesBody): Promise<NotificationPreferences> {
    const items = body.items ?? []
    const refused = items
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => !s.enabled && TRANSACTIONAL.has(s.category as Category))
    if (refused.length > 0) {
      throw new AppError(400, 'TRANSACTIONAL_CATEGORY', 'Receipts and refunds are always sent: they cannot be switched off', {
        details: refused.map(({ s, i }) => ({ field: `body/items/${i}/enabled`, message: `${s.category} is transactional` })),
      })
    }
    if (body.quietHours !== undefined && body.quietHours !== null && body.quietHours.start === body.quietHours.end) {
      throw new AppError(400, 'BAD_REQUEST', 'Quiet hours must not start and end at the same time', { details: [{ field: 'body/quietHours/end', message: 'equals start' }] })
    }
    // one switch per category and channel (the last one given wins): one upsert cannot touch a row twice
    const unique = [...new Map(items.map((i) => [`${i.category}/${i.channel}`, i])).values()]
    await this.#repo.save(identity.uid, unique)
    if (body.quietHours !== undefined) {
      await this.#repo.saveQuietHours(identity.uid, body.quietHours === null ? null : { starts: body.quietHours.start, ends: body.quietHours.end })
    }
    return this.get(identity)
  }
}
