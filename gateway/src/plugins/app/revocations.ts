import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { followStream, type Follower } from '@sunbae/bus'
import { CatalogEvents, STREAMS } from '@sunbae/contracts'

/** An ID token lives an hour: a role change older than that can no longer matter to any token. */
const TOKEN_LIFETIME_MS = 60 * 60 * 1000

/**
 * Role changes reach the gateway's token cache: on `catalog.user.role_changed` (the account's claim
 * changed and its refresh tokens were revoked) the user's cached tokens are dropped and tokens issued
 * before the change are refused, so an old role does not live on here for the rest of a token's hour.
 *
 * Read from JetStream (the CATALOG stream) with an ordered consumer of this replica's own: at start
 * it replays the last hour of changes (a token issued before one of them may still be presented), and
 * after a NATS outage the client resumes after the last change it delivered — a replica that was
 * disconnected misses none. Every replica reads every change; nothing is acknowledged.
 */
export default fp(
  async function revocations(app: FastifyInstance) {
    const subject = CatalogEvents.userRoleChanged.type
    let follower: Follower | null = null
    follower = await followStream({
      bus: app.bus,
      stream: STREAMS.catalog.name,
      filterSubject: subject,
      startTime: new Date(Date.now() - TOKEN_LIFETIME_MS),
      logger: app.log.child({ component: 'revocations' }),
      handler: (event) => {
        const data = event?.data as { uid?: unknown } | undefined
        const uid = data?.uid
        const at = typeof event?.occurredAt === 'string' ? new Date(event.occurredAt) : null
        if (typeof uid !== 'string' || uid === '' || at === null || Number.isNaN(at.getTime())) {
          return void app.log.warn({ subject }, 'ignoring a malformed role-change event')
        }
        const dropped = app.authenticator.revokeUser(uid, at)
        app.log.info({ uid, dropped }, 'role changed: cached tokens dropped, older tokens refused')
      },
    })
    app.addHook('onClose', async () => {
      await follower?.stop()
    })
  },
  { name: 'gateway-revocations', dependencies: ['gateway-nats'] },
)
