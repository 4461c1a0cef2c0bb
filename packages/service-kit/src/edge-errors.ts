import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from './plugins/errors.ts'

/** What a client must do when its URL is refused: Node's parser and the router take only encoded URLs. */
export const ENCODE_THE_URL =
  "The URL is not valid: characters outside ASCII must be percent-encoded UTF-8 (for example curl -G --data-urlencode 'q=면접' <url>)"

/**
 * Fastify's `frameworkErrors`: the errors raised while a request is routed, before any route, hook or
 * the error handler sees it (`%ZZ` or a lone surrogate in the path, a path parameter past
 * `maxParamLength`). Answered in the platform's error shape, with the request id and the headers
 * every response carries, instead of Fastify's own `{ error, code, message, statusCode }`.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.headers({ ...reply.server.responseHeaders, 'x-request-id': String(request.id) })
  if (err.code === 'FST_ERR_BAD_URL') {
    request.log.info({ code: err.code }, 'bad url')
    void sendError(reply, request, 400, 'BAD_URL', ENCODE_THE_URL)
  } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    request.log.info({ code: err.code }, 'path parameter too long')
    void sendError(reply, request, 414, 'URI_TOO_LONG', 'A part of the URL path is longer than this server accepts')
  } else {
    request.log.error({ err }, 'routing failed')
    void sendError(reply, request, 500, 'INTERNAL', 'Something went wrong on our side. Try again later.')
  }
}

/** A request Node's HTTP parser refused, by llhttp's code: status, code and what to tell the client. */
export function classifyClientError(code: string | undefined, reason?: string): { status: number; code: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: "The request's headers are larger than this server accepts" }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request was not received in time' }
    case 'HPE_INVALID_URL':
      return { status: 400, code: 'BAD_URL', message: ENCODE_THE_URL }
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, code: 'BAD_REQUEST', message: 'A request may not carry both Content-Length and Transfer-Encoding' }
    default:
      // llhttp's reasons name the HTTP rule broken ("Invalid header value char") and nothing of ours
      return { status: 400, code: 'BAD_REQUEST', message: `The request is not valid HTTP${reason ? ` (${reason})` : ''}` }
  }
}

/**
 * Fastify's `clientErrorHandler` (`this` is the server): a request Node's HTTP parser refused —
 * raw non-ASCII bytes in the URL, a NUL in a header, Content-Length with Transfer-Encoding, headers
 * past `maxHeaderSize`, a header timeout. There is no request object, so the answer is written to
 * the socket: the platform's error shape with a fresh request id and the headers every response
 * carries, then the connection is closed (the rest of the stream cannot be trusted).
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException & { reason?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const { status, code, message } = classifyClientError(err.code, err.reason)
  const requestId = randomUUID()
  this.log.info({ code: err.code, requestId, status }, 'client error')
  // As Node does: write only when no response of this connection has started (pipelining).
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && !current?.headersSent) {
    const body = JSON.stringify({ error: { code, message, requestId } })
    const headers: Record<string, string | number> = {
      ...this.responseHeaders,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
      connection: 'close',
    }
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
    // closed once written: a client that keeps its side open holds nothing
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`, () => socket.destroy())
    return
  }
  socket.destroy(err)
}
