import { Type } from 'typebox'
import { serviceConfig } from '@sunbae/service-kit'

export const configSchema = serviceConfig({
  /** Firebase project of the rooms; `demo-sunbae` is the emulators' (FIRESTORE_EMULATOR_HOST selects them). */
  FIREBASE_PROJECT_ID: Type.String({ minLength: 1, default: 'demo-sunbae' }),
  /** MongoDB holds the chat mirror when set; otherwise the service's Postgres schema does. */
  MONGO_URL: Type.Optional(Type.String({ pattern: '^mongodb(\\+srv)?://' })),
  MONGO_DB: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9_-]+$', default: 'sunbae_chat' }),
  /** Run the Firestore → mirror sync in this process (one replica leads at a time). */
  CHAT_SYNC_ENABLED: Type.Boolean({ default: true }),
  /** Name of the sync's checkpoints and leader lock (another name = an independent sync). */
  CHAT_SYNC_NAME: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$', default: 'firestore' }),
  /** How often a follower replica tries to become the leader, and the leader checks its lock. */
  CHAT_SYNC_LEASE_CHECK_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 2_000 }),
})
