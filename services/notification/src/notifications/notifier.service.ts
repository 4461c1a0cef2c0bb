import { v7 as uuidv7 } from 'uuid'
import type { DomainEvent } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import { NON_URGENT, TRANSACTIONAL, type Channel, type Locale } from '../messages/categories.ts'
import { DEFAULT_LOCALE, msUntilQuietEnds, validTimeZone } from '../messages/format.ts'
import { toEmail, type Message } from '../messages/message.ts'
import type { PreferencesRepository } from '../preferences/preferences.repository.ts'
import type { RecipientsRepository } from '../recipients/recipients.repository.ts'
import type { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token.ts'
import type { NotificationsRepository } from './notifications.repository.ts'

/** What a handler hands over: the event (its id keys the notification), whom to tell, and the consumer's transaction. */
export interface Delivery {
  event: Pick<DomainEvent, 'id' | 'type' | 'occurredAt'>
  recipientUid: string
  trx: Tx
  afterCommit(fn: () => void | Promise<void>): void
}

/** The jobs that carry notifications out, woken after the commit that queued their rows. */
export interface Wakers {
  inApp(): void
  email(): void
}

/**
 * Turns one event into notifications for one person: in their language and time zone, on the
 * channels their preferences allow, once per (event, recipient, channel) whatever the redelivery.
 */
export class Notifier {
  readonly #notifications: NotificationsRepository
  readonly #recipients: RecipientsRepository
  readonly #preferences: PreferencesRepository
  readonly #webBaseUrl: string
  readonly #organizer: string
  readonly #maxEventAgeMs: number
  readonly #unsubscribe: UnsubscribeTokens
  readonly #wake: Wakers

  constructor(deps: {
    notifications: NotificationsRepository
    recipients: RecipientsRepository
    preferences: PreferencesRepository
    webBaseUrl: string
    /** the address calendar invites name as their organizer (MAIL_FROM's) */
    organizer: string
    /** events older than this tell nobody anything (a new durable reading a stream's history) */
    maxEventAgeMs: number
    /** signs the one-click unsubscribe links of non-transactional email */
    unsubscribe: UnsubscribeTokens
    wake: Wakers
  }) {
    this.#notifications = deps.notifications
    this.#recipients = deps.recipients
    this.#preferences = deps.preferences
    this.#webBaseUrl = deps.webBaseUrl.replace(/\/+$/, '')
    this.#organizer = deps.organizer
    this.#maxEventAgeMs = deps.maxEventAgeMs
    this.#unsubscribe = deps.unsubscribe
    this.#wake = deps.wake
  }

  /** A display name the read model knows, for the other party's name in a message. */
  async nameOf(uid: string, trx: Tx): Promise<string | null> {
    return (await this.#recipients.find([uid], trx)).get(uid)?.display_name ?? null
  }

  async notify(message: Message, d: Delivery): Promise<{ inApp: boolean; email: boolean }> {
    // a consumer created on a stream with history (the first deployment, a new durable) would
    // otherwise mail people about requests and sessions long gone
    if (Date.now() - new Date(d.event.occurredAt).getTime() > this.#maxEventAgeMs) return { inApp: false, email: false }
    const { trx } = d
    const recipient = (await this.#recipients.find([d.recipientUid], trx)).get(d.recipientUid)
    const locale: Locale = recipient?.locale === 'en' || recipient?.locale === 'ko' ? recipient.locale : DEFAULT_LOCALE
    const zone = validTimeZone(recipient?.time_zone ?? recipient?.mentor_time_zone)
    const channels = await this.#channels(d.recipientUid, message.category, trx)
    const r = message.render(locale, zone)
    const base = {
      event_id: d.event.id,
      event_type: d.event.type,
      recipient_uid: d.recipientUid,
      category: message.category,
      locale,
      title: r.title,
      body: r.body,
      link: message.link,
    }
    let inApp = false
    let email = false
    if (channels.has('in_app')) {
      inApp = await this.#notifications.insert({ ...base, id: uuidv7(), channel: 'in_app' }, trx)
    }
    if (channels.has('email')) {
      const id = uuidv7()
      email = await this.#notifications.insert({ ...base, id, channel: 'email' }, trx)
      if (email) {
        const links = this.#unsubscribeLinks(d.recipientUid, message.category)
        const mail = toEmail(r, `${this.#webBaseUrl}${message.link}`, locale, links?.page)
        const [invite, ...attachments] = message.calendar?.(locale, { email: recipient?.email ?? null, name: recipient?.display_name ?? null }) ?? []
        const quiet = NON_URGENT.has(message.category) ? await this.#preferences.quietHours(d.recipientUid, trx) : undefined
        const waitMs = quiet ? msUntilQuietEnds(new Date(), zone, quiet.starts, quiet.ends) : 0
        await this.#notifications.insertEmail(
          {
            notification_id: id,
            recipient_uid: d.recipientUid,
            subject: mail.subject,
            html: mail.html,
            text: mail.text,
            calendar: invite ? JSON.stringify(invite) : null,
            attachments: JSON.stringify(attachments),
            unsubscribe_url: links?.oneClick ?? null,
            // inside the recipient's quiet hours: sent when they end
            ...(waitMs > 0 ? { next_attempt_at: new Date(Date.now() + waitMs) } : {}),
          },
          trx,
        )
      }
    }
    if (inApp) d.afterCommit(() => this.#wake.inApp())
    if (email) d.afterCommit(() => this.#wake.email())
    return { inApp, email }
  }

  /**
   * RFC 8058: the one-click URL (List-Unsubscribe, POSTed by the mail client through the gateway)
   * and the web page a person opens from the footer; none for transactional mail.
   */
  #unsubscribeLinks(uid: string, category: Message['category']): { oneClick: string; page: string } | null {
    if (TRANSACTIONAL.has(category)) return null
    const token = encodeURIComponent(this.#unsubscribe.sign({ uid, category }))
    return { oneClick: `${this.#webBaseUrl}/api/notifications/unsubscribe?token=${token}`, page: `${this.#webBaseUrl}/unsubscribe?token=${token}` }
  }

  /** Both channels unless switched off; a transactional category is always both. */
  async #channels(uid: string, category: Message['category'], trx: Tx): Promise<Set<Channel>> {
    const on = new Set<Channel>(['in_app', 'email'])
    if (TRANSACTIONAL.has(category)) return on
    for (const s of await this.#preferences.forCategory(uid, category, trx)) {
      if (!s.enabled) on.delete(s.channel as Channel)
    }
    return on
  }
}
