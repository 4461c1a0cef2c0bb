import type { ApplicationRejectedV1, MentorProfileV1 } from '@sunbae/contracts'
import type { EventContext } from '@sunbae/service-kit'
import type { Tx } from '../db/database.ts'
import { applicationApproved, applicationRejected } from '../messages/applications.ts'
import type { Notifier } from '../notifications/notifier.service.ts'

type Ctx = Pick<EventContext<unknown, any>, 'event' | 'afterCommit'> & { trx: Tx }

/** Applicants hear the decision on their mentor application. */
export class ApplicationEventHandlers {
  readonly #notifier: Notifier
  constructor(notifier: Notifier) {
    this.#notifier = notifier
  }

  /** An approval of an account's application (imported mentors have no account and applied for nothing). */
  async onMentorApproved(d: MentorProfileV1, ctx: Ctx): Promise<void> {
    if (d.uid) await this.#notifier.notify(applicationApproved(d), { ...ctx, recipientUid: d.uid })
  }

  async onApplicationRejected(d: ApplicationRejectedV1, ctx: Ctx): Promise<void> {
    await this.#notifier.notify(applicationRejected(d), { ...ctx, recipientUid: d.uid })
  }
}
