import t from 'tap'
import { checkBadNumbersRefused } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildNotification } from './helpers.ts'

// Issue 16: every numeric input in this service's OpenAPI document, found anew on each run, must
// refuse non-finite and unsafe numbers with a 400 naming the field. An admin's signed identity is
// sent, so no route answers 401 before its input is looked at.

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = ['GET /api/notifications/ querystring/limit', 'GET /api/admin/notifications/ querystring/limit']

t.test('every numeric input of the OpenAPI document refuses non-finite and huge numbers', async (t) => {
  const app = await buildNotification()
  t.teardown(() => app.close())
  await checkBadNumbersRefused(t, app, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })
})
