import type { BookingCancelledV1, BookingConfirmedV1, BookingRescheduledV1, ReminderDueV1 } from '@sunbae/contracts'
import type { EventContext } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import { MENTEE, MENTOR, named } from '../messages/matching.ts'
import { bookingCancelled, bookingConfirmed, bookingRescheduled, reminderDue, type CalendarContext } from '../messages/meeting.ts'
import type { Message } from '../messages/message.ts'
import type { Notifier } from '../notifications/notifier.service.ts'

type Ctx = Pick<EventContext<unknown, any>, 'event' | 'afterCommit'> & { trx: Tx }
type Parties = { menteeUid: string; mentorUid: string | null }

/** What the meeting subscription does: both parties of a booking hear of it (an imported mentor has no account). */
export class MeetingEventHandlers {
  readonly #notifier: Notifier
  readonly #cal: CalendarContext
  constructor(notifier: Notifier, cal: CalendarContext) {
    this.#notifier = notifier
    this.#cal = cal
  }

  async onBookingConfirmed(d: BookingConfirmedV1, ctx: Ctx): Promise<void> {
    await this.#both(d, ctx, (other, toMentee) => bookingConfirmed(d, other, toMentee, this.#cal))
  }

  async onBookingCancelled(d: BookingCancelledV1, ctx: Ctx): Promise<void> {
    await this.#both(d, ctx, (other, toMentee) => bookingCancelled(d, other, toMentee, (d.cancelledBy === 'mentee') === toMentee, this.#cal))
  }

  async onBookingRescheduled(d: BookingRescheduledV1, ctx: Ctx): Promise<void> {
    await this.#both(d, ctx, (other, toMentee) => bookingRescheduled(d, other, (d.rescheduledBy === 'mentee') === toMentee, this.#cal))
  }

  async onReminderDue(d: ReminderDueV1, ctx: Ctx): Promise<void> {
    await this.#both(d, ctx, (other) => reminderDue(d, other))
  }

  async #both(d: Parties, ctx: Ctx, message: (other: ReturnType<typeof named>, toMentee: boolean) => Message): Promise<void> {
    await this.#notifier.load(ctx.trx, [d.menteeUid, d.mentorUid])
    const menteeName = await this.#notifier.nameOf(d.menteeUid, ctx.trx)
    const mentorName = d.mentorUid ? await this.#notifier.nameOf(d.mentorUid, ctx.trx) : null
    await this.#notifier.notifyAll(
      [
        { message: message(named(mentorName, MENTOR), true), recipientUid: d.menteeUid },
        ...(d.mentorUid ? [{ message: message(named(menteeName, MENTEE), false), recipientUid: d.mentorUid }] : []),
      ],
      ctx,
    )
  }
}
