import t from 'tap'
import { connect } from '@nats-io/transport-node'
import pg from 'pg'
import { isTransientError, TransientError } from '../src/index.ts'

t.test('infrastructure failures are transient: network, Postgres classes 08/40/53/57/58 and lock timeouts, pool timeouts', async (t) => {
  t.ok(isTransientError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))
  t.ok(isTransientError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })))
  t.ok(isTransientError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })))
  t.ok(isTransientError(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' })))
  t.ok(isTransientError(Object.assign(new Error('deadlock'), { code: '40P01' })))
  t.ok(isTransientError(Object.assign(new Error('could not serialize access'), { code: '40001' })))
  t.ok(isTransientError(Object.assign(new Error('too many connections'), { code: '53300' })))
  t.ok(isTransientError(new Error('timeout expired')))
  // pg-pool, when every client is busy for longer than connectionTimeoutMillis
  t.ok(isTransientError(new Error('timeout exceeded when trying to connect')))
  t.ok(isTransientError(new Error('Connection terminated unexpectedly')))
})

t.test('nats.js connection and timeout errors, Firestore retryable gRPC codes, TransientError, causes and aggregates', async (t) => {
  for (const name of ['TimeoutError', 'ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError', 'NoResponders']) {
    t.ok(isTransientError(Object.assign(new Error('x'), { name })), name)
  }
  for (const code of [4, 8, 10, 14]) t.ok(isTransientError(Object.assign(new Error('x'), { code, details: 'x' })), `gRPC ${code}`)
  t.ok(isTransientError(new TransientError('the provider did not answer')))
  t.ok(isTransientError(new Error('booking confirmation failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })), 'through the cause')
  t.ok(isTransientError(new AggregateError([new Error('a'), Object.assign(new Error('b'), { code: 'ECONNREFUSED' })])), 'an aggregate of connect attempts')
})

t.test('the real errors of a database and a NATS server that are not there', async (t) => {
  const client = new pg.Client({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 })
  const pgErr = await client.connect().then(() => null, (e: unknown) => e)
  t.ok(pgErr && isTransientError(pgErr), `pg: ${(pgErr as Error | null)?.message}`)
  const natsErr = await connect({ servers: '127.0.0.1:1', reconnect: false, timeout: 1_000 }).then(
    async (nc) => (await nc.close(), null),
    (e: unknown) => e,
  )
  t.ok(natsErr && isTransientError(natsErr), `nats: ${(natsErr as Error | null)?.name} ${(natsErr as Error | null)?.message}`)
})

t.test('failures of the data itself are not: constraint violations, bad input, programming errors, a gRPC-like code without details', async (t) => {
  t.notOk(isTransientError(Object.assign(new Error('violates check constraint'), { code: '23514' })))
  t.notOk(isTransientError(Object.assign(new Error('duplicate key'), { code: '23505' })))
  t.notOk(isTransientError(Object.assign(new Error('invalid input syntax'), { code: '22P02' })))
  t.notOk(isTransientError(new TypeError('x is undefined')))
  t.notOk(isTransientError(Object.assign(new Error('x'), { code: 14 })))
  t.notOk(isTransientError(null))
  t.notOk(isTransientError('ECONNREFUSED'))
  const loop: { cause?: unknown } = {}
  loop.cause = loop
  t.notOk(isTransientError(loop), 'a cause cycle ends')
})
