import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { connectBus, ensureStreams, type Bus } from '@sunbae/bus'
import { STREAMS } from '@sunbae/contracts'

// `app.bus: Bus` is declared by @sunbae/service-kit (platform plugin); the gateway has no database,
// so it connects NATS on its own here.

/**
 * NATS: one connection, the TELEMETRY stream declared (idempotently) so access-log events are kept
 * even before tracking runs, a readiness check, and drain on close (after the access log flushed —
 * that plugin depends on this one, so it closes first).
 */
export default fp(
  async function nats(app: FastifyInstance, opts: { servers: string; bus?: Bus }) {
    const bus = opts.bus ?? (await connectBus({ servers: opts.servers, name: 'gateway', logger: app.log.child({ component: 'bus' }) }))
    await ensureStreams(bus.jsm, [STREAMS.telemetry])
    app.decorate('bus', bus)
    app.readiness.add('nats', async () => {
      await bus.ping()
    })
    app.addHook('onClose', async () => {
      if (!opts.bus) await bus.drain()
    })
  },
  { name: 'gateway-nats', dependencies: ['sunbae-health'] },
)
