import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { followStream, type Follower } from '@sunbae/bus'
import { BUS_FOLLOWERS, CatalogEvents } from '@sunbae/contracts'

/**
 * An ID token lives an hour: a role change or a disable older than that can no longer matter to any
 * token (a disabled account cannot get a new one). A minute more for clocks that differ a little.
 */
const REPLAY_MS = 61 * 60 * 1000
/** how long start waits for the replay of the last hour before serving anyway (and saying so) */
const CATCH_UP_TIMEOUT_MS = 10_000

/**
 * Account events reach the gateway's token checks, on every replica:
 * - `catalog.user.role_changed`: the account's claim changed and its refresh tokens were revoked —
 *   its cached tokens are dropped and tokens issued before the change are refused;
 * - `catalog.user.disabled`: an admin disabled the account — every token of it is refused at once
 *   (the deny set), and tokens issued before stay revoked;
 * - `catalog.user.enabled`: fresh tokens are accepted again.
 * - `catalog.user.deleted`: the user deleted their account — refused at once like a disabled one (the
 *   Firebase account is gone too, so no new token can come; an enable never follows).
 *
 * Read from JetStream (the CATALOG stream, `catalog.user.>`) with an ordered consumer of this
 * replica's own, so every replica sees every event, in order (a disable then an enable end enabled).
 * At start it replays the last hour, and start waits until that replay is applied, so a restarted
 * replica refuses a disabled account's tokens from its first request. After a NATS outage the client
 * resumes after the last event it delivered. Nothing is acknowledged.
 */
export default fp(
  async function revocations(app: FastifyInstance) {
    const { stream, filterSubject } = BUS_FOLLOWERS.gateway.accounts
    const log = app.log.child({ component: 'revocations' })
    const startTime = new Date(Date.now() - REPLAY_MS)
    // the last account event stored now: start has caught up once the follower applied it
    const last = await app.bus.jsm.streams.getMessage(stream.name, { last_by_subj: filterSubject }).catch(() => null)
    const target = last && last.time.getTime() >= startTime.getTime() ? last.seq : 0
    let caughtUp!: () => void
    const ready = new Promise<void>((resolve) => (caughtUp = resolve))
    if (target === 0) caughtUp()
    const follower: Follower = await followStream({
      bus: app.bus,
      stream: stream.name,
      filterSubject,
      startTime,
      logger: log,
      handler: (event, meta) => {
        try {
          apply(app, log, event)
        } finally {
          if (meta.seq >= target) caughtUp()
        }
      },
    })
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), CATCH_UP_TIMEOUT_MS).unref())
    if ((await Promise.race([ready, timer])) === 'timeout') {
      log.warn({ target, lastSeq: follower.lastSeq }, 'account events of the last hour not yet replayed; serving, the follower goes on')
    }
    app.addHook('onClose', async () => {
      await follower.stop()
    })
  },
  { name: 'gateway-revocations', dependencies: ['gateway-nats'] },
)

function apply(app: FastifyInstance, log: FastifyInstance['log'], event: { type: string; data?: unknown; occurredAt?: unknown } | null): void {
  if (!event) return void log.warn('ignoring a malformed account event')
  const { type } = event
  const { userRoleChanged, userDisabled, userEnabled, userDeleted } = CatalogEvents
  if (type !== userRoleChanged.type && type !== userDisabled.type && type !== userEnabled.type && type !== userDeleted.type) return
  const uid = (event.data as { uid?: unknown } | undefined)?.uid
  const at = typeof event.occurredAt === 'string' ? new Date(event.occurredAt) : null
  if (typeof uid !== 'string' || uid === '' || at === null || Number.isNaN(at.getTime())) {
    return void log.warn({ type }, 'ignoring a malformed account event')
  }
  if (type === userEnabled.type) {
    app.authenticator.enableUser(uid)
    return void log.info({ uid }, 'account enabled: fresh tokens accepted again')
  }
  const refuse = type === userDisabled.type || type === userDeleted.type
  const dropped = refuse ? app.authenticator.disableUser(uid, at) : app.authenticator.revokeUser(uid, at)
  log.info({ uid, type, dropped }, 'cached tokens dropped, older tokens refused')
}
