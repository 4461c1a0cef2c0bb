import type { PaymentCreatedV1, PaymentFailedV1, PaymentRefundedV1, PaymentSucceededV1 } from '@sunbae/contracts'
import type { EventContext } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import type { Message } from '../messages/message.ts'
import { paymentFailed, paymentRefunded, paymentSucceeded, sessionPaid, sessionRefunded } from '../messages/payment.ts'
import type { Notifier } from '../notifications/notifier.service.ts'
import type { PaymentsRepository } from './payments.repository.ts'

type Ctx = Pick<EventContext<unknown, any>, 'event' | 'afterCommit'> & { trx: Tx }

/** What the payment subscription does: remember who pays whom; receipts, failures and refunds to the payer, what changes a payout to the mentor. */
export class PaymentEventHandlers {
  readonly #notifier: Notifier
  readonly #payments: PaymentsRepository
  constructor(notifier: Notifier, payments: PaymentsRepository) {
    this.#notifier = notifier
    this.#payments = payments
  }

  async onPaymentCreated(d: PaymentCreatedV1, ctx: Ctx): Promise<void> {
    await this.#payments.remember({ paymentId: d.paymentId, bookingId: d.bookingId, payerUid: d.menteeUid, mentorUid: d.mentorUid }, ctx.trx)
  }

  async onPaymentSucceeded(d: PaymentSucceededV1, ctx: Ctx): Promise<void> {
    const mentor = await this.#toPayer(d.paymentId, paymentSucceeded(d), ctx)
    if (mentor) await this.#notifier.notify(sessionPaid(d), { ...ctx, recipientUid: mentor })
  }

  async onPaymentFailed(d: PaymentFailedV1, ctx: Ctx): Promise<void> {
    await this.#toPayer(d.paymentId, paymentFailed(d), ctx)
  }

  async onPaymentRefunded(d: PaymentRefundedV1, ctx: Ctx): Promise<void> {
    const mentor = await this.#toPayer(d.paymentId, paymentRefunded(d), ctx)
    if (mentor) await this.#notifier.notify(sessionRefunded(d), { ...ctx, recipientUid: mentor })
  }

  /**
   * The payer is known from payment.created, which the stream holds before any outcome; a replica
   * handling the outcome first throws, and the consumer retries it with back-off until it is known.
   */
  async #toPayer(paymentId: string, message: Message, ctx: Ctx): Promise<string | null> {
    const parties = await this.#payments.partiesOf(paymentId, ctx.trx)
    if (!parties) throw new Error(`payment ${paymentId} is not known yet (payment.created not handled)`)
    await this.#notifier.load(ctx.trx, [parties.payer_uid, parties.mentor_uid])
    await this.#notifier.notify(message, { ...ctx, recipientUid: parties.payer_uid })
    return parties.mentor_uid
  }
}
