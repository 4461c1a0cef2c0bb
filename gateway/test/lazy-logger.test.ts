import t from 'tap'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { LazyChildLogger, lazyChildLoggerFactory } from '../src/lib/lazy-logger.ts'

function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      cb()
    },
  })
  return { lines, stream }
}

t.test('request loggers are made on first use, with the request id and the route level', async (t) => {
  const { lines, stream } = capture()
  const app = Fastify({ logger: { level: 'info', stream }, childLoggerFactory: lazyChildLoggerFactory, disableRequestLogging: true })
  let quietLevel = ''
  app.get('/loud', async (req) => {
    t.ok(req.log instanceof LazyChildLogger)
    req.log.info({ step: 1 }, 'inside')
    return { ok: true }
  })
  app.get('/quiet', { logLevel: 'warn' }, async (req) => {
    quietLevel = req.log.level
    req.log.info('not written: below the route level')
    req.log.warn('written')
    req.log.child({ part: 'x' }).error('from a grandchild')
    return { ok: true }
  })
  t.teardown(() => app.close())

  const loud = await app.inject({ url: '/loud', headers: { 'x-request-id': 'abc' } })
  t.equal(loud.statusCode, 200)
  const inside = lines.find((l) => l.msg === 'inside')!
  t.ok(inside, 'the line was written')
  t.equal(inside.reqId, 'req-1', 'with the request id bound')
  t.equal(inside.step, 1)

  await app.inject({ url: '/quiet' })
  t.equal(quietLevel, 'warn', 'the route level before anything was logged')
  t.notOk(lines.some((l) => l.msg === 'not written: below the route level'))
  const warn = lines.find((l) => l.msg === 'written')!
  t.equal(warn.reqId, 'req-2')
  const grandchild = lines.find((l) => l.msg === 'from a grandchild')!
  t.equal(grandchild.part, 'x')
  t.equal(grandchild.reqId, 'req-2')
})
