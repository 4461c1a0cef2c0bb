import type { FastifyBaseLogger } from 'fastify'
import type { Transporter } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'
import type { CalendarPart } from '../messages/calendar.ts'
import type { RecipientsRepository } from '../recipients/recipients.repository.ts'
import type { EmailOutboxRepository } from './email-outbox.repository.ts'
import type { EmailRow } from './email-outbox.table.ts'

export interface SenderOptions {
  from: string
  batch: number
  leaseMs: number
  retryBaseMs: number
  retryMaxMs: number
  /** tries while the recipients read model does not know the address yet */
  unknownRecipientTries: number
}

export interface SendResult {
  claimed: number
  sent: number
  retried: number
  failed: number
}

/** An SMTP reply in the 5xx range: the server will never take this message (unknown mailbox, refused). */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode
  return typeof code === 'number' && code >= 500 && code < 600
}

const describe = (err: unknown): string => {
  const e = err as { responseCode?: number; code?: string; message?: string }
  return [e.responseCode, e.code, e.message].filter((x) => x !== undefined && x !== '').join(' ').slice(0, 1000)
}

/** A booking email's invite (text/calendar with its METHOD, which mail clients act on) and further .ics files. */
function calendarParts(row: EmailRow) {
  const invite = row.calendar as CalendarPart | null
  const more = (row.attachments ?? []) as unknown as CalendarPart[]
  return {
    ...(invite ? { icalEvent: { method: invite.method, filename: invite.filename, content: invite.content } } : {}),
    ...(more.length > 0 ? { attachments: more.map((a) => ({ filename: a.filename, content: a.content, contentType: `text/calendar; charset=utf-8; method=${a.method}` })) } : {}),
  }
}

/**
 * Sends the email outbox. Every replica runs it: rows are claimed with a lease (SKIP LOCKED), then
 * sent outside any transaction. An SMTP 5xx marks the email failed (visible to admins); anything
 * else — SMTP down, a timeout, a 4xx — retries with capped exponential back-off, without limit, so
 * nothing is lost while SMTP is away. A crash between the SMTP accept and the mark resends once
 * the lease passes (the Message-ID is the notification's id, so the copy is recognisable).
 */
export class EmailSender {
  readonly #outbox: EmailOutboxRepository
  readonly #recipients: RecipientsRepository
  readonly #smtp: Transporter<SMTPTransport.SentMessageInfo>
  readonly #o: SenderOptions
  readonly #log: FastifyBaseLogger

  constructor(outbox: EmailOutboxRepository, recipients: RecipientsRepository, smtp: Transporter<SMTPTransport.SentMessageInfo>, o: SenderOptions, log: FastifyBaseLogger) {
    this.#outbox = outbox
    this.#recipients = recipients
    this.#smtp = smtp
    this.#o = o
    this.#log = log
  }

  backoffMs(attempts: number): number {
    return Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** Math.max(0, attempts - 1))
  }

  async sendDue(): Promise<SendResult> {
    const rows = await this.#outbox.claim(this.#o.batch, this.#o.leaseMs)
    const result: SendResult = { claimed: rows.length, sent: 0, retried: 0, failed: 0 }
    if (rows.length === 0) return result
    const recipients = await this.#recipients.find([...new Set(rows.map((r) => r.recipient_uid))])
    const sent: { id: string; to: string; response: string }[] = []
    await Promise.all(
      rows.map(async (row) => {
        const outcome = await this.#sendOne(row, recipients.get(row.recipient_uid)?.email ?? null, recipients.has(row.recipient_uid))
        if (typeof outcome === 'string') result[outcome]++
        else sent.push(outcome)
      }),
    )
    // one statement for the pass's sent emails; a crash before it resends them once the lease passes
    await this.#outbox.markSent(sent)
    result.sent = sent.length
    return result
  }

  /** Sends one email: what to mark it sent with, or what became of it (already marked). */
  async #sendOne(row: EmailRow, to: string | null, known: boolean): Promise<{ id: string; to: string; response: string } | 'retried' | 'failed'> {
    const id = row.notification_id
    if (!to) {
      // an account without an email address will not get one by waiting; an unknown one might
      if (known || row.attempts >= this.#o.unknownRecipientTries) {
        await this.#outbox.markFailed(id, null, known ? 'the account has no email address' : 'recipient unknown to the read model')
        return 'failed'
      }
      await this.#outbox.retryLater(id, this.backoffMs(row.attempts), 'recipient not known yet')
      return 'retried'
    }
    try {
      const info = await this.#smtp.sendMail({
        from: this.#o.from,
        to,
        subject: row.subject,
        text: row.text,
        html: row.html,
        messageId: `<${id}@notification.sunbae.app>`,
        ...calendarParts(row),
        // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL
        ...(row.unsubscribe_url ? { list: { unsubscribe: { url: row.unsubscribe_url } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
      })
      return { id, to, response: String(info.response ?? '').slice(0, 500) }
    } catch (err) {
      if (isPermanent(err)) {
        this.#log.warn({ notificationId: id, err: describe(err) }, 'email refused permanently')
        await this.#outbox.markFailed(id, to, describe(err))
        return 'failed'
      }
      this.#log.info({ notificationId: id, attempts: row.attempts, err: describe(err) }, 'email not sent; will retry')
      await this.#outbox.retryLater(id, this.backoffMs(row.attempts), describe(err))
      return 'retried'
    }
  }
}
