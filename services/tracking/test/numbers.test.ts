import t from 'tap'
import { checkBadNumbersRefused } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildTracking, deleteDurables, testBus, uniq } from './helpers.ts'

// Issue 16: `?limit=1e400` was coerced to Infinity and passed the schema's bounds (one such request
// kept matching busy for hours). Every numeric input in this service's OpenAPI document, found anew
// on each run, must refuse non-finite and unsafe numbers with a 400 naming the field. An admin's
// signed identity is sent, so no route answers 401 before its input is looked at.

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = [
  'GET /api/admin/tracking/requests querystring/limit',
  'GET /api/admin/tracking/stats querystring/page',
  'GET /api/admin/tracking/audit querystring/limit',
  'GET /api/tracking/keywords/trending querystring/limit',
]

t.test('every numeric input of the OpenAPI document refuses non-finite and huge numbers', async (t) => {
  const bus = await testBus('tracking-numbers-test')
  const prefix = `num_${uniq()}`
  const app = await buildTracking({ TRACKING_DURABLE_PREFIX: prefix })
  t.teardown(async () => {
    await app.close()
    await deleteDurables(bus, prefix)
    await bus.close()
  })
  await checkBadNumbersRefused(t, app, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })
})
