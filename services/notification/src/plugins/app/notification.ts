import { Transactions } from '@sunbae/db'
import { domainPlugin, serviceIdentityKeys } from '@sunbae/service-kit'
import type { configSchema } from '../../config.ts'
import { notificationDatabase } from '../../db/database.ts'
import { ChatDigest } from '../../chat/chat-digest.service.ts'
import { ChatUnreadRepository } from '../../chat/chat-unread.repository.ts'
import { EmailOutboxRepository } from '../../email/email-outbox.repository.ts'
import { EmailSender } from '../../email/email-sender.service.ts'
import { notificationJobs } from '../../jobs.ts'
import { MatchingEventHandlers } from '../../matching/matching-events.service.ts'
import { MeetingEventHandlers } from '../../meeting/meeting-events.service.ts'
import { ApplicationEventHandlers } from '../../applications/application-events.service.ts'
import { PaymentEventHandlers } from '../../payments/payment-events.service.ts'
import { PaymentsRepository } from '../../payments/payments.repository.ts'
import { NotificationFeed } from '../../notifications/feed.service.ts'
import { FirestoreFeed } from '../../notifications/firestore-feed.service.ts'
import { AccountErasure } from '../../recipients/account-erasure.service.ts'
import { AccountErasureRepository } from '../../recipients/account-erasure.repository.ts'
import { NotificationsRepository } from '../../notifications/notifications.repository.ts'
import { Notifier } from '../../notifications/notifier.service.ts'
import { PreferencesRepository } from '../../preferences/preferences.repository.ts'
import { PreferencesService } from '../../preferences/preferences.service.ts'
import { RecipientEventHandlers } from '../../recipients/recipient-events.service.ts'
import { RecipientsRepository } from '../../recipients/recipients.repository.ts'
import { ReviewEventHandlers } from '../../reviews/review-events.service.ts'
import { UnsubscribeTokens } from '../../unsubscribe/unsubscribe-token.ts'

/** `Name <a@b>` or `a@b` → `a@b`. */
const addressOf = (from: string): string => /<([^>]+)>/.exec(from)?.[1] ?? from.trim()

declare module 'fastify' {
  interface FastifyInstance {
    recipientEventHandlers: RecipientEventHandlers
    matchingEventHandlers: MatchingEventHandlers
    meetingEventHandlers: MeetingEventHandlers
    receiptEventHandlers: PaymentEventHandlers
    applicationEventHandlers: ApplicationEventHandlers
    reviewEventHandlers: ReviewEventHandlers
    chatEventHandlers: ChatDigest
    notificationFeed: NotificationFeed
    notificationPreferences: PreferencesService
    recipientErasure: AccountErasure
  }
}

/** Notification's repositories and domain services (for routes and `subscriptions.ts`), and the jobs every replica runs (`jobs.ts`). */
export default domainPlugin<typeof configSchema>('notification', ['firebase', 'smtp'], (app, config) => {
  const db = notificationDatabase(app.db)
  const recipients = new RecipientsRepository(db)
  const notifications = new NotificationsRepository(db)
  const preferences = new PreferencesRepository(db)
  const outbox = new EmailOutboxRepository(db)
  const organizer = addressOf(config.MAIL_FROM)
  const unsubscribe = UnsubscribeTokens.fromSecrets(config.UNSUBSCRIBE_SECRET, serviceIdentityKeys(config, 'notification')[0]!)
  const notifier = new Notifier({
    notifications,
    recipients,
    webBaseUrl: config.WEB_BASE_URL,
    organizer,
    maxEventAgeMs: config.NOTIFICATION_MAX_EVENT_AGE_HOURS * 3_600_000,
    unsubscribe,
    wake: { inApp: () => app.feedSync.wake(), email: () => app.emailSender.soon(0) },
  })
  app.decorate('recipientEventHandlers', new RecipientEventHandlers(recipients))
  app.decorate('recipientErasure', new AccountErasure(new AccountErasureRepository(), app.firestore, () => app.feedSync.wake()))
  app.decorate('matchingEventHandlers', new MatchingEventHandlers(notifier))
  app.decorate('meetingEventHandlers', new MeetingEventHandlers(notifier, { organizer }))
  app.decorate('receiptEventHandlers', new PaymentEventHandlers(notifier, new PaymentsRepository(db)))
  app.decorate('applicationEventHandlers', new ApplicationEventHandlers(notifier))
  app.decorate('reviewEventHandlers', new ReviewEventHandlers(notifier, recipients))
  app.decorate('notificationFeed', new NotificationFeed(notifications, outbox, () => app.feedSync.wake()))
  app.decorate('notificationPreferences', new PreferencesService(preferences, unsubscribe))

  const sender = new EmailSender(
    outbox,
    recipients,
    app.smtp,
    {
      from: config.MAIL_FROM,
      batch: config.EMAIL_SEND_BATCH,
      leaseMs: config.EMAIL_LEASE_MS,
      retryBaseMs: config.EMAIL_RETRY_BASE_MS,
      retryMaxMs: config.EMAIL_RETRY_MAX_MS,
      unknownRecipientTries: 10,
    },
    app.log.child({ component: 'email' }),
  )
  const transactions = new Transactions(db)
  const digest = new ChatDigest(transactions, new ChatUnreadRepository(), notifier, config.CHAT_DIGEST_AFTER_MINUTES * 60_000)
  app.decorate('chatEventHandlers', digest)
  notificationJobs(app, { sender, feed: new FirestoreFeed(transactions, notifications, app.firestore), digest, config })
})
