import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { periodicJob, type PeriodicJob } from '@sunbae/service-kit'
import type { configSchema } from './config.ts'
import type { ChatDigest } from './chat/chat-digest.service.ts'
import type { EmailSender, SendResult } from './email/email-sender.service.ts'
import type { FirestoreFeed } from './notifications/firestore-feed.service.ts'
import { FeedSync } from './notifications/feed-sync.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** `app.emailSender.run()`: one pass of the email outbox now (tests) */
    emailSender: PeriodicJob<SendResult>
    /** `app.feedSync.wake()` after a commit that queued in-app rows; `drain()`: every row Firestore lacks, now (tests) */
    feedSync: FeedSync
    /** `app.chatDigest.run()`: sends the due unread-chat digests now (tests) */
    chatDigest: PeriodicJob<number>
  }
}

const FEED_BATCH = 200
const DIGEST_BATCH = 500

/**
 * Notification's timers, in every replica. The email sender claims due emails with a lease (SKIP
 * LOCKED) and sends them; the feed sync writes in-app rows to Firestore and marks them in the
 * transaction that locked them, several batches at once (`FeedSync`). Both are woken after the
 * commit that queued their rows, so the interval only matters for retries and for rows a crashed
 * process left behind.
 */
export function notificationJobs(app: FastifyInstance, deps: { sender: EmailSender; feed: FirestoreFeed; digest: ChatDigest; config: Static<typeof configSchema> }): void {
  const { config } = deps
  app.decorate(
    'emailSender',
    periodicJob<SendResult>(app, {
      name: 'email sender',
      intervalMs: config.EMAIL_SEND_INTERVAL_MS,
      pass: () => deps.sender.sendDue(),
      again: (r) => r.claimed >= config.EMAIL_SEND_BATCH,
      merge: (a, b) => ({ claimed: a.claimed + b.claimed, sent: a.sent + b.sent, retried: a.retried + b.retried, failed: a.failed + b.failed }),
      report: (r, log) => {
        if (r.retried + r.failed > 0) log.info(r, 'email sender')
      },
    }),
  )
  const feedSync = new FeedSync(deps.feed, { batch: FEED_BATCH, writers: config.FIRESTORE_SYNC_WRITERS, logger: app.log.child({ job: 'firestore feed' }) })
  app.decorate('feedSync', feedSync)
  app.addHook('onClose', async () => feedSync.stop())
  // the interval: retries after a failed write (Firestore away), and rows whose wake was lost (a replica that crashed after its commit)
  periodicJob<number>(app, {
    name: 'firestore feed',
    intervalMs: config.FIRESTORE_SYNC_INTERVAL_MS,
    pass: () => feedSync.drain(),
  })
  app.decorate(
    'chatDigest',
    periodicJob<number>(app, {
      name: 'chat digest',
      intervalMs: config.CHAT_DIGEST_INTERVAL_MS,
      // counted regardless; sent only when enabled (see CHAT_DIGEST_ENABLED)
      pass: async () => (config.CHAT_DIGEST_ENABLED ? deps.digest.sendDue(DIGEST_BATCH) : 0),
      again: (n) => n >= DIGEST_BATCH,
      merge: (a, b) => a + b,
    }),
  )
}
