/**
 * `node src/cli/reconcile-accounts.ts` (`npm run seed` runs it): suspends the active mentors whose
 * Firebase account no longer exists, so they leave search — after the local Auth emulator lost its
 * accounts, say. The suspensions are announced through the outbox (the running service's relay
 * publishes them; search and the read models follow). Needs Postgres (DATABASE_URL: mentor-catalog's
 * own role) and Firebase Auth (the emulator when FIREBASE_AUTH_EMULATOR_HOST is set), not NATS.
 * Prints what it did; idempotent.
 */
import { Type, type Static } from 'typebox'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { publishInTx, publishManyInTx } from '@sunbae/bus'
import type { EventDef } from '@sunbae/contracts'
import type { Tx } from '@sunbae/db'
import type { EventMeta } from '@sunbae/service-kit'
import { domainEvent } from '@sunbae/service-kit/events'
import type { FastifyInstance } from 'fastify'
import { MentorsService } from '../mentors/mentors.service.ts'
import { OrphanMentors } from '../mentors/orphans.service.ts'
import { CliDatabaseUrl, cliDatabase } from './database.ts'

const { config, database } = cliDatabase(
  'reconcile',
  Type.Object({ ...CliDatabaseUrl, FIREBASE_PROJECT_ID: Type.String({ minLength: 1 }) }),
  { FIREBASE_PROJECT_ID: 'demo-sunbae' },
)
const firebase = initializeApp({ projectId: config.FIREBASE_PROJECT_ID }, `reconcile-accounts-${process.pid}`)
// The service's event writer without its relay: rows in the outbox, published by the running service.
const source = 'mentor-catalog'
const events: FastifyInstance['events'] = {
  publish: <E extends EventDef>(trx: Tx<any>, event: E, data: Static<E['schema']>, meta: EventMeta) => publishInTx(trx, domainEvent(event, data, { ...meta, source })),
  publishMany: <E extends EventDef>(trx: Tx<any>, event: E, items: readonly { data: Static<E['schema']>; meta: EventMeta }[]) =>
    publishManyInTx(trx, items.map((i) => domainEvent(event, i.data, { ...i.meta, source }))),
  flushSoon: () => {},
}

let code = 0
try {
  const orphans = new OrphanMentors(database.db, new MentorsService(database.db, events), getAuth(firebase))
  const { checked, suspended } = await orphans.suspendOrphans({ type: 'system', id: 'cli:reconcile-accounts' })
  process.stdout.write(
    suspended.length
      ? `${suspended.length} of ${checked} mentors had no Firebase account any more and were suspended (out of search): ${suspended.map((m) => `${m.id} (uid ${m.uid})`).join(', ')}\n`
      : `All ${checked} mentors with an account still have their Firebase account.\n`,
  )
} catch (err) {
  process.stderr.write(`Could not reconcile the mentors with Firebase Auth: ${(err as Error).message}\n`)
  code = 1
} finally {
  await database.close()
  await deleteApp(firebase)
}
process.exit(code)
