import type { FastifyInstance } from 'fastify'
import { AppError } from './errors.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })
/** A run of percent escapes: decoded together, since one character takes up to four of them. */
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g

/** False when a run of percent escapes in `query` does not decode to UTF-8 (`%C3%28`). */
export function queryIsUtf8(query: string): boolean {
  for (const run of query.match(ESCAPES) ?? []) {
    try {
      decodeURIComponent(run)
    } catch {
      return false
    }
  }
  return true
}

/**
 * Text from clients must be valid UTF-8 (found by the route fuzz, issue 20). Fastify decodes a JSON
 * body with Buffer#toString, which turns bytes such as 0xC3 0x28 into U+FFFD without a word (a name
 * or a bio was stored other than sent), and its query parser keeps an escape that is not UTF-8
 * (`?q=%C3%28`) as the literal text `%C3%28`. Both are now a 400 in the platform's shape. A JSON
 * body is decoded strictly and handed to Fastify's default JSON parser (same prototype-poisoning
 * protection, same errors for empty or broken JSON); a query with an escape is checked before
 * routing (a URL without `%` after its `?` costs one indexOf).
 */
export function strictUtf8(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string
    try {
      text = utf8.decode(body as Buffer)
    } catch {
      done(new AppError(400, 'BAD_REQUEST', 'The body is not valid UTF-8'), undefined)
      return
    }
    parse(request, text, done)
  })
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.raw.url ?? ''
    const q = url.indexOf('?')
    if (q === -1 || url.indexOf('%', q) === -1 || queryIsUtf8(url.slice(q + 1))) return done()
    done(new AppError(400, 'BAD_REQUEST', 'The query string is not valid UTF-8 once percent-decoded'))
  })
}
