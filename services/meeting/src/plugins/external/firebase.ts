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
 * firebase-admin's Firestore: the video rooms' signalling documents, `videoRooms/{bookingId}` (the
 * Admin SDK is not bound by firestore.rules; browsers write only their peers and signals). Locally
 * FIRESTORE_EMULATOR_HOST points it at the emulator; in production, the project's credentials.
 */
export default fp(
  async function firebase(app: FastifyInstance, opts: { projectId: string }) {
    // a uniquely named app: tests build several instances in one process
    const firebaseApp: App = initializeApp({ projectId: opts.projectId }, `meeting-${process.pid}-${Date.now()}-${Math.random()}`)
    const firestore = getFirestore(firebaseApp)
    app.decorate('firestore', firestore)
    app.addHook('onClose', async () => {
      await firestore.terminate()
      await deleteApp(firebaseApp)
    })
  },
  { name: 'firebase' },
)
