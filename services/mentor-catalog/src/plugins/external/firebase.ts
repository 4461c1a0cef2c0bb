import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { deleteApp, initializeApp, type App } from 'firebase-admin/app'
import { getAuth, type Auth } from 'firebase-admin/auth'

declare module 'fastify' {
  interface FastifyInstance {
    firebaseAuth: Auth
  }
}

/**
 * firebase-admin for role changes (custom claims, token revocation). Locally the Auth emulator is
 * used when FIREBASE_AUTH_EMULATOR_HOST is set; in production, the project's credentials.
 */
export default fp(
  async function firebase(app: FastifyInstance, opts: { projectId: string }) {
    const firebaseApp: App = initializeApp({ projectId: opts.projectId }, `mentor-catalog-${process.pid}-${Date.now()}`)
    app.decorate('firebaseAuth', getAuth(firebaseApp))
    app.addHook('onClose', async () => deleteApp(firebaseApp))
  },
  { name: 'firebase' },
)
