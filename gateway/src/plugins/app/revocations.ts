import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { CatalogEvents } from '@sunbae/contracts'

/**
 * Role changes reach the gateway's token cache: on `catalog.user.role_changed` (the account's claim
 * changed and its refresh tokens were revoked) the user's cached tokens are dropped and tokens issued
 * before the change are refused, so an old role does not live on here for the rest of a token's hour.
 *
 * A plain NATS subscription, not a durable consumer: every gateway replica must see every change,
 * and the JetStream publish of the outbox relay reaches core subscribers too. A change published
 * while this replica was disconnected is missed; its tokens then age out within the hour, as before.
 */
export default fp(
  async function revocations(app: FastifyInstance) {
    const subject = CatalogEvents.userRoleChanged.type
    const sub = app.bus.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return app.log.warn({ err }, 'role-change subscription failed')
        let uid: unknown
        let occurredAt: unknown
        try {
          const event = msg.json<{ occurredAt?: unknown; data?: { uid?: unknown } }>()
          uid = event.data?.uid
          occurredAt = event.occurredAt
        } catch {
          // not JSON: not one of ours
        }
        const at = typeof occurredAt === 'string' ? new Date(occurredAt) : null
        if (typeof uid !== 'string' || uid === '' || at === null || Number.isNaN(at.getTime())) {
          return app.log.warn({ subject }, 'ignoring a malformed role-change event')
        }
        const dropped = app.authenticator.revokeUser(uid, at)
        app.log.info({ uid, dropped }, 'role changed: cached tokens dropped, older tokens refused')
      },
    })
    app.addHook('onClose', async () => {
      sub.unsubscribe()
    })
  },
  { name: 'gateway-revocations', dependencies: ['gateway-nats'] },
)
