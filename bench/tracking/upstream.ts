// The bench's upstream: node:http answering every request with one small JSON body.
// Run alone: `node bench/tracking/upstream.ts <port>`.
import { createServer } from 'node:http'

const BODY = Buffer.from(JSON.stringify({ items: [], total: 0, page: 1, pageSize: 20 }))

const server = createServer((req, res) => {
  req.resume()
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length })
  res.end(BODY)
})
server.keepAliveTimeout = 65_000
server.listen(Number(process.argv[2] ?? 18301), '127.0.0.1')
