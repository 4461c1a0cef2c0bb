import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export type ReadinessCheck = () => Promise<void>

export interface ReadinessOptions {
  /**
   * true (the default): the service cannot serve its requests without it (its Postgres), so a
   * failing check takes the replica out of rotation (503). false: the service still serves —
   * reads need no NATS and writes go to the outbox — so a failing check makes it `degraded`: reported
   * in the body, the log and `sunbae_dependency_up`, but still 200.
   */
  critical?: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: {
      add(name: string, check: ReadinessCheck, opts?: ReadinessOptions): void
      /** Once set, /readyz answers 503 so load balancers stop sending new traffic. */
      draining: boolean
    }
    /** This app's Prometheus registry, served at /metrics (several apps may live in one test process). */
    prometheus: Registry
  }
}

/**
 * Per check only its state: the reason (an error text naming hosts, ports, roles or databases) is
 * logged, never answered — /readyz is reachable by whatever reaches the pod.
 */
const CheckStatus = Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('degraded')]), {
  description: 'ok; failing (a critical dependency: not ready); degraded (a dependency the service serves without)',
})
type CheckState = 'ok' | 'failing' | 'degraded'
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('not_ready'), Type.Literal('draining')], {
    description: 'ready and degraded answer 200 (degraded: a dependency the service can serve without is failing); not_ready and draining 503',
  }),
  checks: CheckStatus,
})

/** Per-check budget: a hung dependency must not hang the probe. */
const CHECK_TIMEOUT_MS = 2_000

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Liveness (`/healthz`: the process answers; never asks another system), readiness (`/readyz`: the
 * checks, critical or not — docs/operations.md, "Readiness") and the app's Prometheus registry with
 * `/metrics`: process metrics and `sunbae_dependency_up{dependency}` (1 when the check passed at the
 * last probe or scrape).
 */
export default fp(
  async function health(app: FastifyInstance, opts: { service?: string } = {}) {
    const checks = new Map<string, { check: ReadinessCheck; critical: boolean }>()
    app.decorate('readiness', {
      add: (name: string, check: ReadinessCheck, o: ReadinessOptions = {}) => void checks.set(name, { check, critical: o.critical ?? true }),
      draining: false,
    })

    const registry = new Registry()
    collectDefaultMetrics({ register: registry, prefix: `${(opts.service ?? 'service').replace(/\W+/g, '_')}_` })
    app.decorate('prometheus', registry)
    const up = new Gauge({
      name: 'sunbae_dependency_up',
      help: 'Whether the readiness check of a dependency passed at the last probe (1) or failed (0); critical="false": the service serves without it (degraded)',
      labelNames: ['dependency', 'critical'],
      registers: [registry],
    })
    /** last result per check, to log changes once instead of at every probe */
    const last = new Map<string, boolean>()

    const runChecks = async (): Promise<{ results: Record<string, CheckState>; critical: boolean; degraded: boolean }> => {
      const results: Record<string, CheckState> = {}
      let critical = false
      let degraded = false
      await Promise.all(
        [...checks].map(async ([name, c]) => {
          let reason: string | null = null
          try {
            await withTimeout(c.check(), CHECK_TIMEOUT_MS)
            results[name] = 'ok'
          } catch (err) {
            reason = (err as Error).message
            results[name] = c.critical ? 'failing' : 'degraded'
            if (c.critical) critical = true
            else degraded = true
          }
          const ok = reason === null
          up.set({ dependency: name, critical: String(c.critical) }, ok ? 1 : 0)
          // changes are warnings, once; a check failing at its first probe is a service starting
          // (logged at info with its reason, so an operator can still see why it is not ready)
          if (!last.has(name) && !ok) app.log.info({ dependency: name, critical: c.critical, reason }, `${name} is not available yet`)
          else if (last.get(name) !== ok) {
            if (ok) app.log.info({ dependency: name }, `${name} is back`)
            else app.log.warn({ dependency: name, critical: c.critical, reason }, c.critical ? `${name} is failing: not ready` : `${name} is failing: degraded, still serving`)
          }
          last.set(name, ok)
        }),
      )
      return { results, critical, degraded }
    }

    // Responses finishing while we drain close their keep-alive connection, otherwise the server's
    // close would wait for idle sockets until their keep-alive timeout.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (app.readiness.draining) reply.header('connection', 'close')
      done(null, payload)
    })

    app.get(
      '/healthz',
      {
        config: { otel: false },
        schema: {
          tags: ['health'],
          summary: 'Liveness: the process is up (depends on no other system)',
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    )

    app.get(
      '/readyz',
      {
        config: { otel: false },
        schema: {
          tags: ['health'],
          summary: 'Readiness: 200 while the service can serve (ready, or degraded when only a non-critical dependency fails), 503 when a critical one fails or it drains',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        const { results, critical, degraded } = await runChecks()
        const status = app.readiness.draining ? 'draining' : critical ? 'not_ready' : degraded ? 'degraded' : 'ready'
        return reply.code(status === 'ready' || status === 'degraded' ? 200 : 503).send({ status, checks: results })
      },
    )

    app.get(
      '/metrics',
      {
        config: { otel: false },
        schema: {
          tags: ['health'],
          summary: 'Prometheus metrics (text exposition format); inside the cluster only',
          produces: ['text/plain'],
          response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }) },
        },
      },
      async (_request, reply) => {
        await runChecks()
        return reply.type(registry.contentType).send(await registry.metrics())
      },
    )
  },
  { name: 'sunbae-health' },
)
