import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'
import { MEETING_ROOM_WINDOW } from '@sunbae/contracts'

export const configSchema = serviceConfig({
  /** How long a paid booking holds its slot waiting for payment.succeeded (fractions allowed). */
  MEETING_HOLD_MINUTES: Type.Number({ exclusiveMinimum: 0, maximum: 1440, default: 15 }),
  /** The web app's origin: a session's video room is its page /sessions/<id>/room. */
  WEB_BASE_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:5173' }),
  /** Firebase project of the rooms' signalling documents (`videoRooms/{bookingId}`); `demo-sunbae` is the emulators'. */
  FIREBASE_PROJECT_ID: Type.String({ minLength: 1, default: 'demo-sunbae' }),
  /** A session's room opens this long before its start … */
  MEETING_ROOM_OPENS_BEFORE_MINUTES: Type.Integer({ minimum: 0, maximum: 120, default: MEETING_ROOM_WINDOW.opensBeforeMinutes }),
  /** … and closes this long after its end. */
  MEETING_ROOM_CLOSES_AFTER_MINUTES: Type.Integer({ minimum: 0, maximum: 240, default: MEETING_ROOM_WINDOW.closesAfterMinutes }),
  /** Signs room tokens (HS256, 32+ characters); without it a key is derived from the service's identity key. */
  MEETING_ROOM_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  /** The room behind the join link: the built-in WebRTC room, or a self-hosted Jitsi (MEETING_JITSI_*). */
  MEETING_VIDEO_PROVIDER: Type.Union([Type.Literal('webrtc'), Type.Literal('jitsi')], { default: 'webrtc' }),
  /** STUN servers for the WebRTC room, comma-separated (`stun:turn.example.com:3478`); empty: none. */
  MEETING_STUN_URLS: Type.String({ default: '', pattern: '^(stuns?:[^,\\s]+(,stuns?:[^,\\s]+)*)?$' }),
  /** coturn's URLs, comma-separated (`turn:host:3478?transport=udp,turns:host:5349`); empty: no TURN. */
  MEETING_TURN_URLS: Type.String({ default: '', pattern: '^(turns?:[^,\\s]+(,turns?:[^,\\s]+)*)?$' }),
  /** coturn's static-auth-secret (use-auth-secret): TURN REST credentials are an HMAC of it; required with MEETING_TURN_URLS. */
  MEETING_TURN_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** How long TURN credentials last at most (never past the room's closing). */
  MEETING_TURN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 6 * 3600, default: 2 * 3600 }),
  /** 'relay' makes browsers use TURN only (tests prove TURN with it). */
  MEETING_ICE_TRANSPORT_POLICY: Type.Union([Type.Literal('all'), Type.Literal('relay')], { default: 'all' }),
  /** Jitsi (MEETING_VIDEO_PROVIDER=jitsi): the domain of the self-hosted Jitsi Meet … */
  MEETING_JITSI_DOMAIN: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]+(:[0-9]+)?$' })),
  /** … its prosody token auth app id (`iss`) … */
  MEETING_JITSI_APP_ID: Type.Optional(Type.String({ minLength: 1 })),
  /** … and app secret (HS256). */
  MEETING_JITSI_APP_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  /** Currency of prices (ISO 4217). */
  MEETING_CURRENCY: Type.String({ pattern: '^[A-Z]{3}$', default: 'KRW' }),
  /** How long after a session's end its mentor may still mark a no-show. */
  MEETING_NO_SHOW_WINDOW_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 48 }),
  /** How often each replica releases expired holds, sends due reminders and completes ended sessions. */
  MEETING_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 15_000 }),
  /** Rows one sweep step handles per transaction. */
  MEETING_SWEEP_BATCH: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
})
