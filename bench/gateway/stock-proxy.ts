// Stock @fastify/http-proxy with nothing added (no auth, limits, logs, traces, extra headers): what
// any Fastify-based gateway starts from, so the gateway's own features can be priced against it.
// Run alone: `node bench/gateway/stock-proxy.ts <port> <upstream-url>`.
import Fastify, { type FastifyInstance } from 'fastify'
import proxy from '@fastify/http-proxy'

export async function createStockProxy(upstream: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000 })
  await app.register(proxy, {
    upstream,
    prefix: '/api/bench',
    rewritePrefix: '/api/bench',
  })
  return app
}

if (import.meta.main) {
  const port = Number(process.argv[2] ?? 18108)
  const upstream = process.argv[3] ?? 'http://127.0.0.1:18101'
  const app = await createStockProxy(upstream)
  await app.listen({ port, host: '127.0.0.1' })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)))
  process.stdout.write(`stock @fastify/http-proxy on ${port} → ${upstream}\n`)
}
