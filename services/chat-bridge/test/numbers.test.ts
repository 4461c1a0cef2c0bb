import t from 'tap'
import { checkBadNumbersRefused } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildChat } from './helpers.ts'

// Issue 16: `?limit=1e400` was coerced to Infinity and passed the schema's bounds (one such request
// kept matching busy for hours). Every numeric input in this service's OpenAPI document, found anew
// on each run, must refuse non-finite and unsafe numbers with a 400 naming the field. An admin's
// signed identity is sent, so no route answers 401 before its input is looked at.

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = [
  'GET /api/chat/rooms/{id}/messages querystring/limit',
  'GET /api/admin/chat/messages querystring/limit',
]

t.test('every numeric input of the OpenAPI document refuses non-finite and huge numbers', async (t) => {
  // the routes, not the Firestore sync, are under test
  const app = await buildChat({ CHAT_SYNC_ENABLED: 'false' })
  t.teardown(() => app.close())
  await checkBadNumbersRefused(t, app, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })
})
