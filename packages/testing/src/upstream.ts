import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Upstream {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

/** A real HTTP server on 127.0.0.1 and a free port, for a proxy to talk to. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const server = createServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An URL where nothing listens (connection refused): a port that was just free. */
export async function deadUpstreamUrl(): Promise<string> {
  const up = await startUpstream(() => {})
  await up.close()
  return up.url
}

/** Reads a request body as text (for upstream handlers that echo what they received). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
