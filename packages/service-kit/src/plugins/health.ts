import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

export type ReadinessCheck = () => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    readiness: {
      add(name: string, check: ReadinessCheck): void
      /** Once set, /readyz answers 503 so load balancers stop sending new traffic. */
      draining: boolean
    }
  }
}

const CheckStatus = Type.Record(Type.String(), Type.String())
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready'), Type.Literal('draining')]),
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

export default fp(
  async function health(app: FastifyInstance) {
    const checks = new Map<string, ReadinessCheck>()
    app.decorate('readiness', {
      add: (name: string, check: ReadinessCheck) => void checks.set(name, check),
      draining: false,
    })

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
          summary: 'Liveness: the process is up',
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
          summary: 'Readiness: every dependency answers and the service is not draining',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        const results: Record<string, string> = {}
        await Promise.all(
          [...checks].map(async ([name, check]) => {
            try {
              await withTimeout(check(), CHECK_TIMEOUT_MS)
              results[name] = 'ok'
            } catch (err) {
              results[name] = `failing: ${(err as Error).message}`
            }
          }),
        )
        const failing = Object.values(results).some((r) => r !== 'ok')
        const status = app.readiness.draining ? 'draining' : failing ? 'not_ready' : 'ready'
        return reply.code(status === 'ready' ? 200 : 503).send({ status, checks: results })
      },
    )
  },
  { name: 'sunbae-health' },
)
