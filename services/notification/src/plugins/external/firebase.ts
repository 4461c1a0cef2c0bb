import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getFirestore, type Firestore } from 'firebase-admin/firestore'

declare module 'fastify' {
  interface FastifyInstance {
    firestore: Firestore
  }
}

/**
 * firebase-admin's Firestore: the in-app feed's realtime copy, `users/{uid}/notifications/{id}`
 * (the Admin SDK is not bound by firestore.rules; clients only read their own). Locally
 * FIRESTORE_EMULATOR_HOST points it at the emulator; in production, the project's credentials.
 */
export default fp(
  async function firebase(app: FastifyInstance, opts: { projectId: string }) {
    // a uniquely named app: tests build several instances in one process
    const firebaseApp: App = initializeApp({ projectId: opts.projectId }, `notification-${process.pid}-${Date.now()}-${Math.random()}`)
    const firestore = getFirestore(firebaseApp)
    app.decorate('firestore', firestore)
    app.addHook('onClose', async () => {
      await firestore.terminate()
      await deleteApp(firebaseApp)
    })
  },
  { name: 'firebase' },
)
