// The benchmark's upstream: a plain node:http server answering every request with one small JSON
// body. Run alone: `node bench/gateway/upstream.ts <port>`.
import { createServer, type Server } from 'node:http'

/** BENCH_BODY_BYTES pads the body (a page of search results is ≈ 10 KB), to see what body size costs each proxy */
const PAD = Number(process.env.BENCH_BODY_BYTES ?? 0)
export const UPSTREAM_BODY = JSON.stringify({ ok: true, service: 'bench-upstream', items: [1, 2, 3], ...(PAD > 0 ? { pad: 'x'.repeat(PAD) } : {}) })
const BODY = Buffer.from(UPSTREAM_BODY)

export function createUpstream(): Server {
  const server = createServer((req, res) => {
    // read (and drop) any request body, then answer
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length })
    res.end(BODY)
  })
  server.keepAliveTimeout = 65_000
  return server
}

if (import.meta.main) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 18101)
  createUpstream().listen(port, '127.0.0.1', () => process.stdout.write(`upstream on ${port}\n`))
}
