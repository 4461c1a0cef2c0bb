import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { connectBus, ensureStreams, type Bus } from '@sunbae/bus'
import { busInboxPrefix, STREAMS } from '@sunbae/contracts'

// `app.bus: Bus` is declared by @sunbae/service-kit (platform plugin); the gateway has no database,
// so it connects NATS on its own here.

/**
 * NATS: one connection, the TELEMETRY stream declared (idempotently) so access-log events are kept
 * even before tracking runs, a readiness check, and drain on close (after the access log flushed —
 * that plugin depends on this one, so it closes first).
 */
export default fp(
  async function nats(app: FastifyInstance, opts: { servers: string; nkeySeed?: string; bus?: Bus }) {
    const bus =
      opts.bus ??
      (await connectBus({
        servers: opts.servers,
        name: 'gateway',
        logger: app.log.child({ component: 'bus' }),
        // the gateway's own NATS user (@sunbae/contracts bus-access): it may publish telemetry only
        ...(opts.nkeySeed ? { nkeySeed: opts.nkeySeed } : {}),
        inboxPrefix: busInboxPrefix('gateway'),
      }))
    // TELEMETRY for the access log; CATALOG for the role changes the gateway follows (declared by
    // mentor-catalog too, with the same settings: whoever starts first creates it; only their owners
    // — tracking, mentor-catalog — bring their settings up to date)
    await ensureStreams(bus.jsm, [STREAMS.telemetry, STREAMS.catalog], { owned: [] })
    app.decorate('bus', bus)
    // Not critical: the gateway serves without NATS (only the access log waits, in its buffer).
    app.readiness.add(
      'nats',
      async () => {
        await bus.ping()
      },
      { critical: false },
    )
    app.addHook('onClose', async () => {
      if (opts.bus) return
      // bounded: with NATS unreachable the drain closes at once (the bus's rule); a drain that hangs
      // on a half-open connection still ends within 5 s, and the connection is closed either way
      await Promise.race([bus.drain(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch((err: unknown) => app.log.warn({ err }, 'NATS drain failed'))
      await bus.close()
    })
  },
  { name: 'gateway-nats', dependencies: ['sunbae-health'] },
)
