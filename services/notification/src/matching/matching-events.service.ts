import type { RequestAcceptedV1, RequestCancelledV1, RequestCreatedV1, RequestDeclinedV1, RequestExpiredV1 } from '@sunbae/contracts'
import type { EventContext } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import { MENTEE, MENTOR, named, requestAccepted, requestCancelled, requestCreated, requestDeclined, requestExpired } from '../messages/matching.ts'
import type { Notifier } from '../notifications/notifier.service.ts'

type Ctx = Pick<EventContext<unknown, any>, 'event' | 'afterCommit'> & { trx: Tx }

/** What the matching subscription does: tell each request's other party what happened. */
export class MatchingEventHandlers {
  readonly #notifier: Notifier
  constructor(notifier: Notifier) {
    this.#notifier = notifier
  }

  /** The mentor gets the request with the mentee's message. */
  async onRequestCreated(d: RequestCreatedV1, ctx: Ctx): Promise<void> {
    await this.#notifier.load(ctx.trx, [d.menteeUid, d.mentorUid])
    const mentee = named(await this.#notifier.nameOf(d.menteeUid, ctx.trx), MENTEE)
    await this.#notifier.notify(requestCreated(d, mentee), { ...ctx, recipientUid: d.mentorUid })
  }

  async onRequestAccepted(d: RequestAcceptedV1, ctx: Ctx): Promise<void> {
    await this.#notifier.load(ctx.trx, [d.mentorUid, d.menteeUid])
    const mentor = named(await this.#notifier.nameOf(d.mentorUid, ctx.trx), MENTOR)
    await this.#notifier.notify(requestAccepted(d, mentor), { ...ctx, recipientUid: d.menteeUid })
  }

  async onRequestDeclined(d: RequestDeclinedV1, ctx: Ctx): Promise<void> {
    await this.#notifier.load(ctx.trx, [d.mentorUid, d.menteeUid])
    const mentor = named(await this.#notifier.nameOf(d.mentorUid, ctx.trx), MENTOR)
    await this.#notifier.notify(requestDeclined(d, mentor), { ...ctx, recipientUid: d.menteeUid })
  }

  async onRequestExpired(d: RequestExpiredV1, ctx: Ctx): Promise<void> {
    await this.#notifier.load(ctx.trx, [d.mentorUid, d.menteeUid])
    const mentor = named(await this.#notifier.nameOf(d.mentorUid, ctx.trx), MENTOR)
    await this.#notifier.notify(requestExpired(d, mentor), { ...ctx, recipientUid: d.menteeUid })
  }

  /** Whoever did not cancel hears of it: the actor says who did (the mentee, unless a mentor or the system ever may). */
  async onRequestCancelled(d: RequestCancelledV1, ctx: Ctx): Promise<void> {
    const byMentor = ctx.event.actor.id === d.mentorUid
    const cancellerUid = byMentor ? d.mentorUid : d.menteeUid
    await this.#notifier.load(ctx.trx, [d.mentorUid, d.menteeUid])
    const canceller = named(await this.#notifier.nameOf(cancellerUid, ctx.trx), byMentor ? MENTOR : MENTEE)
    await this.#notifier.notify(requestCancelled(d, canceller, !byMentor), { ...ctx, recipientUid: byMentor ? d.menteeUid : d.mentorUid })
  }
}
