import { STREAMS, TELEMETRY_SUBJECTS, type StreamDef } from './streams.ts'

/**
 * Who may do what on the bus: the one table the NATS users and their subject permissions are rendered
 * from (@sunbae/bus `natsAuthorization`, `npm run nats:auth`), and the one place the durable consumers
 * are named — every service subscribes with its entry here (`BUS_CONSUMERS`), so what a service does
 * and what its NATS user may do cannot drift apart. What a user may publish is derived: the subjects
 * of the domain streams it owns (every event there is its own: STREAM_OWNERS), its telemetry, and the
 * dead letters of its own durables.
 */

/** One durable pull consumer: one stream, one filter subject (NATS 2.9). Durable names are deployed state: keep them. */
export interface DurableDef {
  readonly stream: StreamDef
  readonly durable: string
  readonly filterSubject: string
}

/** An ordered consumer (per process, not acknowledged, random name): a read model following a stream. */
export interface FollowDef {
  readonly stream: StreamDef
  readonly filterSubject: string
}

const durable = (stream: StreamDef, name: string, filterSubject: string): DurableDef => ({ stream, durable: name, filterSubject })

/** Tracking's durables start with TRACKING_DURABLE_PREFIX (two tracking deployments on one NATS need different ones). */
export const DEFAULT_TRACKING_DURABLE_PREFIX = 'tracking'

/** Tracking's pipelines: one durable per telemetry subject, and one per domain stream for the audit trail. */
export const TRACKING_PIPELINES = [
  { name: 'access', stream: STREAMS.telemetry, filterSubject: TELEMETRY_SUBJECTS.accessLog },
  { name: 'access_batch', stream: STREAMS.telemetry, filterSubject: TELEMETRY_SUBJECTS.accessLogBatch },
  { name: 'search', stream: STREAMS.telemetry, filterSubject: TELEMETRY_SUBJECTS.search },
  { name: 'errors', stream: STREAMS.telemetry, filterSubject: TELEMETRY_SUBJECTS.error },
  { name: 'slow_queries', stream: STREAMS.telemetry, filterSubject: TELEMETRY_SUBJECTS.slowQuery },
  ...[STREAMS.catalog, STREAMS.matching, STREAMS.meeting, STREAMS.payment, STREAMS.chat].map((stream) => ({
    name: `audit_${stream.name.toLowerCase()}`,
    stream,
    filterSubject: stream.subjects[0]!,
  })),
] as const

/** Tracking's durables under a prefix. */
export const trackingDurables = (prefix: string = DEFAULT_TRACKING_DURABLE_PREFIX): DurableDef[] =>
  TRACKING_PIPELINES.map((p) => durable(p.stream, `${prefix}_${p.name}`, p.filterSubject))

/** Every durable consumer of the platform, by service (tracking's: `trackingDurables`). */
export const BUS_CONSUMERS = {
  'chat-bridge': {
    // one durable for both subjects, so a match's accept and end are handled in stream order
    matching: durable(STREAMS.matching, 'chat_bridge_matching', 'matching.>'),
    /** a deleted account's messages are blanked in Firestore and the mirror */
    catalogUserDeleted: durable(STREAMS.catalog, 'chat_bridge_catalog_user_deleted', 'catalog.user.deleted'),
  },
  matching: {
    /** the Postgres read model of mentors (a batch consumer) */
    catalogMentors: durable(STREAMS.catalog, 'matching_catalog_mentors', 'catalog.mentor.>'),
    /** account changes (src/subscriptions.ts): a renamed mentee's name on their requests and matches */
    catalogUsers: durable(STREAMS.catalog, 'matching_catalog_users', 'catalog.user.>'),
  },
  meeting: {
    catalogMentors: durable(STREAMS.catalog, 'meeting_catalog_mentors', 'catalog.mentor.>'),
    matching: durable(STREAMS.matching, 'meeting_matching', 'matching.>'),
    payments: durable(STREAMS.payment, 'meeting_payments', 'payment.>'),
    /** a deleted account's upcoming sessions are cancelled with a full refund */
    catalogUserDeleted: durable(STREAMS.catalog, 'meeting_catalog_user_deleted', 'catalog.user.deleted'),
    /** its own events: a cancelled, moved or no-show session's video room is closed in Firestore */
    videoRooms: durable(STREAMS.meeting, 'meeting_video_rooms', 'meeting.booking.>'),
  },
  'mentor-catalog': {
    meetingCompleted: durable(STREAMS.meeting, 'catalog_meeting_completed', 'meeting.booking.completed'),
    /** its own event: the Firebase account is deleted after the commit, retried until done */
    userDeleted: durable(STREAMS.catalog, 'catalog_user_deleted', 'catalog.user.deleted'),
  },
  notification: {
    catalog: durable(STREAMS.catalog, 'notification_catalog', 'catalog.>'),
    matching: durable(STREAMS.matching, 'notification_matching', 'matching.request.>'),
    meeting: durable(STREAMS.meeting, 'notification_meeting', 'meeting.>'),
    payment: durable(STREAMS.payment, 'notification_payment', 'payment.>'),
    chat: durable(STREAMS.chat, 'notification_chat', 'chat.>'),
  },
  payment: {
    meetingBookings: durable(STREAMS.meeting, 'payment_meeting_bookings', 'meeting.booking.>'),
  },
} as const satisfies Record<string, Record<string, DurableDef>>

/** Every ordered consumer (per-process read model), by service. */
export const BUS_FOLLOWERS = {
  /** role changes drop cached tokens, disables refuse an account at once (gateway/src/plugins/app/revocations.ts) */
  gateway: { accounts: { stream: STREAMS.catalog, filterSubject: 'catalog.user.>' } },
  /** the in-memory mentor index */
  matching: { catalogMentors: { stream: STREAMS.catalog, filterSubject: 'catalog.mentor.>' } },
  /** the search read model */
  'mentor-catalog': { catalogMentors: { stream: STREAMS.catalog, filterSubject: 'catalog.mentor.>' } },
} as const satisfies Record<string, Record<string, FollowDef>>

/** The service that publishes each domain stream's events (and alone may change the stream's settings). */
export const STREAM_OWNERS = {
  [STREAMS.catalog.name]: 'mentor-catalog',
  [STREAMS.matching.name]: 'matching',
  [STREAMS.meeting.name]: 'meeting',
  [STREAMS.payment.name]: 'payment',
  [STREAMS.chat.name]: 'chat-bridge',
  // tracking consumes telemetry and administers the dead letters: it keeps their settings
  [STREAMS.telemetry.name]: 'tracking',
  [STREAMS.deadLetter.name]: 'tracking',
} as const satisfies Record<string, string>

/** What one NATS user may do. */
export interface BusUser {
  /** the user's name: the service (or tool) that connects as it */
  name: string
  /** the subjects of its domain events (its streams' subjects, e.g. `payment.>`: an event's type is its subject) */
  publishes: string[]
  /** telemetry subjects it publishes (core NATS, no ack) */
  telemetry: string[]
  /** streams it may create when missing and read the state of */
  streams: StreamDef[]
  /** of those, the ones whose settings it may change */
  owns: StreamDef[]
  durables: DurableDef[]
  follows: FollowDef[]
  /** lists, reads, redrives and removes dead letters */
  deadLetterAdmin: boolean
  /** what a redrive may publish again (the dead-letter admins: every domain stream's subjects) */
  redrives: string[]
}

/** The bus users of the platform: the gateway, the seven services and the `dlq` operator tool. */
export const BUS_USERS = ['gateway', 'chat-bridge', 'matching', 'meeting', 'mentor-catalog', 'notification', 'payment', 'tracking', 'dlq'] as const
export type BusUserName = (typeof BUS_USERS)[number]

/** Telemetry every service sends: its 5xx and its slow queries. */
const SERVICE_TELEMETRY = [TELEMETRY_SUBJECTS.error, TELEMETRY_SUBJECTS.slowQuery]

const TELEMETRY_BY_USER: Partial<Record<BusUserName, string[]>> = {
  gateway: [TELEMETRY_SUBJECTS.accessLog, TELEMETRY_SUBJECTS.accessLogBatch, TELEMETRY_SUBJECTS.error],
  'mentor-catalog': [...SERVICE_TELEMETRY, TELEMETRY_SUBJECTS.search],
  'chat-bridge': SERVICE_TELEMETRY,
  matching: SERVICE_TELEMETRY,
  meeting: SERVICE_TELEMETRY,
  notification: SERVICE_TELEMETRY,
  payment: SERVICE_TELEMETRY,
  tracking: SERVICE_TELEMETRY,
}

/** The streams of domain events (every stream but telemetry and the dead letters). */
const DOMAIN_STREAMS: readonly StreamDef[] = Object.values(STREAMS).filter((s) => s !== STREAMS.telemetry && s !== STREAMS.deadLetter)

/** The stream a subject is stored in. */
export const streamOfSubject = (subject: string): StreamDef | undefined =>
  Object.values(STREAMS).find((s) => s.subjects.some((p) => subject === p || (p.endsWith('.>') && subject.startsWith(p.slice(0, -1)))))

export interface BusAccessOptions {
  /** tracking's TRACKING_DURABLE_PREFIX in this deployment */
  trackingDurablePrefix?: string
}

/** What `user` may do on the bus (see BusUser). */
export function busUser(name: BusUserName, opts: BusAccessOptions = {}): BusUser {
  const durables: DurableDef[] =
    name === 'tracking' ? trackingDurables(opts.trackingDurablePrefix) : Object.values((BUS_CONSUMERS as Record<string, Record<string, DurableDef>>)[name] ?? {})
  const follows: FollowDef[] = Object.values((BUS_FOLLOWERS as Record<string, Record<string, FollowDef>>)[name] ?? {})
  const owns = Object.values(STREAMS).filter((s) => (STREAM_OWNERS as Record<string, string>)[s.name] === name)
  const publishes = owns.filter((s) => DOMAIN_STREAMS.includes(s)).flatMap((s) => s.subjects)
  const telemetry = TELEMETRY_BY_USER[name] ?? []
  const deadLetterAdmin = name === 'tracking' || name === 'dlq'
  const streams = new Set<StreamDef>(owns)
  for (const d of [...durables, ...follows]) streams.add(d.stream)
  if (telemetry.length) streams.add(STREAMS.telemetry)
  if (durables.length || deadLetterAdmin) streams.add(STREAMS.deadLetter)
  return {
    name,
    publishes,
    telemetry,
    streams: Object.values(STREAMS).filter((s) => streams.has(s)),
    owns,
    durables,
    follows,
    deadLetterAdmin,
    redrives: deadLetterAdmin ? DOMAIN_STREAMS.flatMap((s) => s.subjects) : [],
  }
}

/** The prefix of a user's reply subjects (NATS `inboxPrefix`): it may subscribe to nothing else. */
export const busInboxPrefix = (name: string): string => `_INBOX_${name}`
