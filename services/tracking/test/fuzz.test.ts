import t from 'tap'
import { checkFuzz } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildTracking, deleteDurables, testBus, uniq } from './helpers.ts'

// Issue 20: every operation of this service's OpenAPI document, found anew on each run, is fuzzed as
// an anonymous caller, a mentee, a mentor and an admin (see fuzzTest): no 5xx, every 4xx in the
// platform's error shape, nothing internal in a body.
t.test('every operation of the OpenAPI document survives the fuzz: no 5xx, errors in shape, nothing internal', async (t) => {
  const bus = await testBus('tracking-fuzz-test')
  const prefix = `fuzz_${uniq()}`
  const app = await buildTracking({ TRACKING_DURABLE_PREFIX: prefix })
  t.teardown(async () => {
    await app.close()
    await deleteDurables(bus, prefix)
    await bus.close()
  })
  await checkFuzz(t, app, { minOperations: 5, identity: (role) => identityHeaders({ uid: `fuzz-${role}`, role }) })
})
