import { v7 as uuidv7 } from 'uuid'
import type { DomainEvent } from '@sunbae/contracts'
import type { Tx } from '../db/database.ts'
import { NON_URGENT, TRANSACTIONAL, type Channel, type Locale } from '../messages/categories.ts'
import { DEFAULT_LOCALE, msUntilQuietEnds, validTimeZone } from '../messages/format.ts'
import { toEmail, type Message } from '../messages/message.ts'
import type { Audience, RecipientsRepository } from '../recipients/recipients.repository.ts'
import type { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token.ts'
import type { NotificationsRepository } from './notifications.repository.ts'
import type { NewEmail, NewNotification } from './notifications.table.ts'

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
  readonly #webBaseUrl: string
  readonly #organizer: string
  readonly #maxEventAgeMs: number
  readonly #unsubscribe: UnsubscribeTokens
  readonly #wake: Wakers
  /** what `load` read, per transaction (gone with it) */
  readonly #loaded = new WeakMap<Tx, Map<string, Audience>>()

  constructor(deps: {
    notifications: NotificationsRepository
    recipients: RecipientsRepository
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
    this.#webBaseUrl = deps.webBaseUrl.replace(/\/+$/, '')
    this.#organizer = deps.organizer
    this.#maxEventAgeMs = deps.maxEventAgeMs
    this.#unsubscribe = deps.unsubscribe
    this.#wake = deps.wake
  }

  /**
   * Reads what notifying these people needs — profile, switches, quiet hours — in one query, kept
   * for the rest of the transaction: a handler names everyone its event concerns (recipients and
   * the other party it names) before asking for names and notifying.
   */
  async load(trx: Tx, uids: readonly (string | null | undefined)[]): Promise<void> {
    const known = this.#people(trx)
    const missing = [...new Set(uids.filter((u): u is string => !!u && !known.has(u)))]
    if (missing.length === 0) return
    for (const [uid, a] of await this.#recipients.audience(missing, trx)) known.set(uid, a)
  }

  /** A display name the read model knows, for the other party's name in a message. */
  async nameOf(uid: string, trx: Tx): Promise<string | null> {
    return (await this.#person(uid, trx)).display_name
  }

  async notify(message: Message, d: Delivery): Promise<{ inApp: boolean; email: boolean }> {
    const [r] = await this.notifyAll([{ message, recipientUid: d.recipientUid }], d)
    return r!
  }

  /** One event's notifications to several people (both parties of a booking), written in one statement. */
  async notifyAll(items: readonly { message: Message; recipientUid: string }[], d: Omit<Delivery, 'recipientUid'>): Promise<{ inApp: boolean; email: boolean }[]> {
    // a consumer created on a stream with history (the first deployment, a new durable) would
    // otherwise mail people about requests and sessions long gone
    if (Date.now() - new Date(d.event.occurredAt).getTime() > this.#maxEventAgeMs) return items.map(() => ({ inApp: false, email: false }))
    const { trx } = d
    await this.load(trx, items.map((i) => i.recipientUid))
    const rows: NewNotification[] = []
    const emails: NewEmail[] = []
    const ids: { inApp?: string; email?: string }[] = []
    for (const { message, recipientUid } of items) {
      const person = await this.#person(recipientUid, trx)
      const locale: Locale = person.locale === 'en' || person.locale === 'ko' ? person.locale : DEFAULT_LOCALE
      const zone = validTimeZone(person.time_zone ?? person.mentor_time_zone)
      const channels = this.#channels(person, message.category)
      const r = message.render(locale, zone)
      const base = {
        event_id: d.event.id,
        event_type: d.event.type,
        recipient_uid: recipientUid,
        category: message.category,
        locale,
        title: r.title,
        body: r.body,
        link: message.link,
      }
      const mine: { inApp?: string; email?: string } = {}
      if (channels.has('in_app')) {
        mine.inApp = uuidv7()
        rows.push({ ...base, id: mine.inApp, channel: 'in_app' })
      }
      if (channels.has('email')) {
        const id = (mine.email = uuidv7())
        rows.push({ ...base, id, channel: 'email' })
        const links = this.#unsubscribeLinks(recipientUid, message.category)
        const mail = toEmail(r, `${this.#webBaseUrl}${message.link}`, locale, links?.page)
        const [invite, ...attachments] = message.calendar?.(locale, { email: person.email, name: person.display_name }) ?? []
        const quiet = NON_URGENT.has(message.category) ? person.quiet : null
        const waitMs = quiet ? msUntilQuietEnds(new Date(), zone, quiet.starts, quiet.ends) : 0
        emails.push({
          notification_id: id,
          recipient_uid: recipientUid,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          calendar: invite ?? null,
          attachments,
          unsubscribe_url: links?.oneClick ?? null,
          // inside the recipient's quiet hours: sent when they end
          ...(waitMs > 0 ? { next_attempt_at: new Date(Date.now() + waitMs) } : {}),
        })
      }
      ids.push(mine)
    }
    const inserted = await this.#notifications.insertAll(rows, emails, trx)
    const results = ids.map((m) => ({ inApp: m.inApp !== undefined && inserted.has(m.inApp), email: m.email !== undefined && inserted.has(m.email) }))
    if (results.some((x) => x.inApp)) d.afterCommit(() => this.#wake.inApp())
    if (results.some((x) => x.email)) d.afterCommit(() => this.#wake.email())
    return results
  }

  #people(trx: Tx): Map<string, Audience> {
    let m = this.#loaded.get(trx)
    if (!m) this.#loaded.set(trx, (m = new Map()))
    return m
  }

  async #person(uid: string, trx: Tx): Promise<Audience> {
    await this.load(trx, [uid])
    return this.#people(trx).get(uid)!
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
  #channels(person: Audience, category: Message['category']): Set<Channel> {
    const on = new Set<Channel>(['in_app', 'email'])
    if (TRANSACTIONAL.has(category)) return on
    for (const s of person.switches) {
      if (s.category === category && !s.enabled) on.delete(s.channel as Channel)
    }
    return on
  }
}
