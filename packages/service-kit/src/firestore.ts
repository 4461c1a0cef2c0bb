// @sunbae/service-kit/firestore — firebase-admin's Firestore as `app.firestore`, for the services that
// write Firestore documents (chat-bridge's rooms and its mirror's listeners, meeting's video rooms,
// notification's in-app feed). The Admin SDK is not bound by firestore.rules: what browsers may do there
// is the rules' business. Locally FIRESTORE_EMULATOR_HOST points it at the emulator; in production, the
// project's credentials. A subpath of its own so that services without Firestore never load the SDK.
//
// The SDK is loaded when `app.firestore` is first read, not at start: importing it costs ≈ 40 MB of RSS
// (bench/footprint), which meeting, writing a document only when a video room opens or closes, would
// otherwise carry idle. chat-bridge and notification read it while they start (listeners, feed sync)
// and load it then, as before. A missing SDK still fails the start: the module is resolved at
// registration. Creating the client opens no connection (Firestore connects on its first call), so
// readiness says the same as before.
import { createRequire } from 'node:module'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type * as AppSdk from 'firebase-admin/app'
import type * as FirestoreSdk from 'firebase-admin/firestore'

type App = AppSdk.App
type Firestore = FirestoreSdk.Firestore

declare module 'fastify' {
  interface FastifyInstance {
    /** the service's Firestore client, created (and the SDK loaded) on first read */
    firestore: Firestore
  }
}

// firebase-admin is CommonJS (its ESM entry points re-export the same modules), so it can be loaded
// synchronously from a getter
const require = createRequire(import.meta.url)

let instances = 0

export default fp(
  async function firestore(app: FastifyInstance, opts: { projectId: string; service: string }) {
    require.resolve('firebase-admin/app')
    require.resolve('firebase-admin/firestore')
    let client: { firebaseApp: App; db: Firestore } | undefined
    app.decorate('firestore', {
      getter(): Firestore {
        if (client === undefined) {
          const { initializeApp } = require('firebase-admin/app') as typeof AppSdk
          const { getFirestore } = require('firebase-admin/firestore') as typeof FirestoreSdk
          // a uniquely named firebase app: tests build several instances of a service in one process
          const firebaseApp = initializeApp({ projectId: opts.projectId }, `${opts.service}-${process.pid}-${++instances}`)
          client = { firebaseApp, db: getFirestore(firebaseApp) }
        }
        return client.db
      },
    })
    app.addHook('onClose', async () => {
      if (client === undefined) return
      const { deleteApp } = require('firebase-admin/app') as typeof AppSdk
      await client.db.terminate()
      await deleteApp(client.firebaseApp)
    })
  },
  { name: 'firebase' },
)
