import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'

export const configSchema = serviceConfig({
  /** Firebase project of the in-app feed; `demo-sunbae` is the emulators' (FIRESTORE_EMULATOR_HOST selects them). */
  FIREBASE_PROJECT_ID: Type.String({ minLength: 1, default: 'demo-sunbae' }),
  /** Where email goes: smtp:// or smtps:// with optional user:password. Locally the sink of `npm start` (Mailpit in compose). */
  SMTP_URL: Type.String({ pattern: '^smtps?://', default: 'smtp://127.0.0.1:1025' }),
  /** The From header of every email. */
  MAIL_FROM: Type.String({ minLength: 3, default: 'Sunbae <no-reply@sunbae.app>' }),
  /** Links in notifications are this origin followed by the page's path. */
  WEB_BASE_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:5173' }),
  /** How often each replica sends due email (and mirrors unsynced in-app rows to Firestore). */
  EMAIL_SEND_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 5_000 }),
  /** Emails one pass claims. */
  EMAIL_SEND_BATCH: Type.Integer({ minimum: 1, maximum: 1_000, default: 50 }),
  /** Back-off after a transient failure: base × 2^(attempts-1), capped. */
  EMAIL_RETRY_BASE_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 }),
  EMAIL_RETRY_MAX_MS: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 3_600_000 }),
  /** How long a claimed email is held by its sender before another may take it (a crashed sender). */
  EMAIL_LEASE_MS: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 120_000 }),
  /** SMTP connection and greeting timeouts. */
  SMTP_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  /**
   * SMTP connections kept open and reused, each for up to 100 messages (nodemailer's pool); a pass's
   * emails queue for them. A connection per message cost a TCP connect, greeting and EHLO each.
   */
  SMTP_MAX_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /**
   * Sends unread-chat digests. chat-bridge publishes chat.room.read whenever a member reads a room (the
   * web marks it read as each new message shows), which closes the window: someone reading live gets none.
   */
  CHAT_DIGEST_ENABLED: Type.Boolean({ default: true }),
  /** Unread chat is mailed as a digest this long after the first unread message of a room (unless read by then). */
  CHAT_DIGEST_AFTER_MINUTES: Type.Number({ exclusiveMinimum: 0, maximum: 10_080, default: 15 }),
  /** How often each replica sends due chat digests. */
  CHAT_DIGEST_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 60_000 }),
  /** Signs one-click unsubscribe links (32+ characters); without it a key is derived from IDENTITY_SECRET. */
  UNSUBSCRIBE_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** Events older than this notify nobody: a new durable reading a stream's history must not mail people about the past. */
  NOTIFICATION_MAX_EVENT_AGE_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 8760, default: 72 }),
  /** How often each replica writes in-app notifications Firestore has not confirmed yet (a write after commit usually does it first). */
  FIRESTORE_SYNC_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 5_000 }),
  /**
   * Firestore batches each replica writes at once, each in its own transaction (a pool connection
   * held for the commit): a row committed while batches are in flight goes in the next free one
   * instead of waiting for the one in flight to end.
   */
  FIRESTORE_SYNC_WRITERS: Type.Integer({ minimum: 1, maximum: 8, default: 3 }),
})
