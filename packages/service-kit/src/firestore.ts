// @sunbae/service-kit/firestore — firebase-admin's Firestore as `app.firestore`, for the services that
// write Firestore documents (chat-bridge's rooms and its mirror's listeners, meeting's video rooms,
// notification's in-app feed). The Admin SDK is not bound by firestore.rules: what browsers may do there
// is the rules' business. Locally FIRESTORE_EMULATOR_HOST points it at the emulator; in production, the
// project's credentials. A subpath of its own so that services without Firestore never load the SDK.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getFirestore, type Firestore } from 'firebase-admin/firestore'

declare module 'fastify' {
  interface FastifyInstance {
    firestore: Firestore
  }
}

let instances = 0

export default fp(
  async function firestore(app: FastifyInstance, opts: { projectId: string; service: string }) {
    // a uniquely named firebase app: tests build several instances of a service in one process
    const firebaseApp: App = initializeApp({ projectId: opts.projectId }, `${opts.service}-${process.pid}-${++instances}`)
    const db = getFirestore(firebaseApp)
    app.decorate('firestore', db)
    app.addHook('onClose', async () => {
      await db.terminate()
      await deleteApp(firebaseApp)
    })
  },
  { name: 'firebase' },
)
