import type { BookingCompletedV1, ReviewCreatedV1 } from '@sunbae/contracts'
import type { EventContext } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import { MENTEE, MENTOR, named } from '../messages/matching.ts'
import { reviewReceived, reviewRequested } from '../messages/reviews.ts'
import type { Notifier } from '../notifications/notifier.service.ts'
import type { RecipientsRepository } from '../recipients/recipients.repository.ts'

type Ctx = Pick<EventContext<unknown, any>, 'event' | 'afterCommit'> & { trx: Tx }

/** "Leave a review" after a session (meeting.booking.completed), and "you were reviewed" (catalog.review.created). */
export class ReviewEventHandlers {
  readonly #notifier: Notifier
  readonly #recipients: RecipientsRepository
  constructor(notifier: Notifier, recipients: RecipientsRepository) {
    this.#notifier = notifier
    this.#recipients = recipients
  }

  async onBookingCompleted(d: BookingCompletedV1, ctx: Ctx): Promise<void> {
    await this.#notifier.load(ctx.trx, [d.menteeUid, d.mentorUid])
    const mentor = named(d.mentorUid ? await this.#notifier.nameOf(d.mentorUid, ctx.trx) : null, MENTOR)
    await this.#notifier.notify(reviewRequested(d, mentor), { ...ctx, recipientUid: d.menteeUid })
  }

  /** The review names the mentor by public id: the read model knows the account behind it (none for imported mentors). */
  async onReviewCreated(d: ReviewCreatedV1, ctx: Ctx): Promise<void> {
    const mentorUid = await this.#recipients.uidOfMentor(d.mentorId, ctx.trx)
    if (!mentorUid) return
    await this.#notifier.load(ctx.trx, [d.menteeUid, mentorUid])
    const mentee = named(await this.#notifier.nameOf(d.menteeUid, ctx.trx), MENTEE)
    await this.#notifier.notify(reviewReceived(d, mentee), { ...ctx, recipientUid: mentorUid })
  }
}
