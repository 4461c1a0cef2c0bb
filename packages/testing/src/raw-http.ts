import net from 'node:net'

export interface RawResponse {
  status: number
  /** lower-cased names */
  headers: Record<string, string>
  body: string
}

/**
 * Sends bytes as they are to 127.0.0.1:port — requests no HTTP client would send (raw non-ASCII in
 * the URL, a NUL in a header, Content-Length with Transfer-Encoding) — and reads the answer until the
 * server closes the connection or the Content-Length is reached. For answers with a Content-Length
 * (every error answer of the platform has one); a chunked answer's body is returned as it came.
 */
export function rawRequest(port: number, request: Buffer | string, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let settled = false
    const finish = (err?: Error) => {
      if (settled) return
      settled = true
      socket.destroy()
      if (err) return reject(err)
      const raw = Buffer.concat(chunks)
      const split = raw.indexOf('\r\n\r\n')
      if (split < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`))
      const [statusLine, ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: raw.subarray(split + 4).toString('utf8') })
    }
    socket.setTimeout(timeoutMs, () => finish(new Error(`no complete answer within ${timeoutMs} ms`)))
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      const raw = Buffer.concat(chunks)
      const split = raw.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.subarray(0, Math.max(split, 0)).toString('latin1'))
      if (split >= 0 && length && raw.length - split - 4 >= Number(length[1])) finish()
    })
    socket.on('end', () => finish())
    socket.on('close', () => finish())
    // a server that answers before it has read everything may reset the connection: the answer counts
    socket.on('error', (err) => (chunks.length ? finish() : finish(err)))
    socket.write(request)
  })
}
