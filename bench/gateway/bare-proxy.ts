// The ceiling for any Node gateway: a bare reverse proxy, node:http in and out, with a keep-alive
// agent and nothing else (no auth, limits, logs or traces). Hop-by-hop headers are dropped.
// Run alone: `node bench/gateway/bare-proxy.ts <port> <upstream-url>`.
import http from 'node:http'

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']

export function createBareProxy(upstream: string): http.Server {
  const target = new URL(upstream)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers }
    for (const h of HOP_BY_HOP) delete headers[h]
    const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (up) => {
      const back = { ...up.headers }
      for (const h of HOP_BY_HOP) delete back[h]
      res.writeHead(up.statusCode ?? 502, back)
      up.pipe(res)
    })
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
      res.end('{"error":{"code":"UPSTREAM_FAILED","message":"bad gateway"}}')
    })
    req.pipe(out)
  })
  server.keepAliveTimeout = 65_000
  return server
}

if (import.meta.main) {
  const port = Number(process.argv[2] ?? 18102)
  const upstream = process.argv[3] ?? 'http://127.0.0.1:18101'
  createBareProxy(upstream).listen(port, '127.0.0.1', () => process.stdout.write(`bare proxy on ${port} → ${upstream}\n`))
  // exit normally on SIGTERM, so `--cpu-prof` (bench/gateway/cpu.ts --prof) writes its profile
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0))
}
