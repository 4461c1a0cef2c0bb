import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { deleteApp, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import type { VerifyIdToken } from '../../lib/authenticator.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** firebase-admin's verifyIdToken for the configured project (Auth emulator when configured) */
    verifyIdToken: VerifyIdToken
  }
}

export interface FirebaseOptions {
  projectId: string
  emulatorHost?: string | undefined
  /** test seam: wraps the real verifier (e.g. to count calls); never replaces verification in production */
  wrapVerifier?: ((verify: VerifyIdToken) => VerifyIdToken) | undefined
}

/**
 * firebase-admin, only for ID-token verification: no service-account credential is needed for it
 * (Google's public keys are fetched and cached by the SDK). With the emulator, tokens are unsigned
 * (alg "none") and the SDK accepts exactly those — a token signed with any key is refused.
 */
export default fp(
  async function firebase(app: FastifyInstance, opts: FirebaseOptions) {
    // firebase-admin reads the emulator address from the environment; config is the source of truth.
    if (opts.emulatorHost) process.env.FIREBASE_AUTH_EMULATOR_HOST = opts.emulatorHost
    const firebaseApp = initializeApp({ projectId: opts.projectId }, `gateway-${randomUUID()}`)
    const auth = getAuth(firebaseApp)
    const verify: VerifyIdToken = (token) => auth.verifyIdToken(token)
    app.decorate('verifyIdToken', opts.wrapVerifier ? opts.wrapVerifier(verify) : verify)
    app.log.info({ projectId: opts.projectId, emulator: opts.emulatorHost ?? null }, 'verifying Firebase ID tokens')
    app.addHook('onClose', async () => {
      await deleteApp(firebaseApp)
    })
  },
  { name: 'gateway-firebase' },
)
