import t from 'tap'
import { checkBadNumbersRefused } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildMeeting } from './helpers.ts'

// Issue 16: `?limit=1e400` was coerced to Infinity and passed the schema's bounds (one such request
// kept matching busy for hours). Every numeric input in this service's OpenAPI document, found anew
// on each run, must refuse non-finite and unsafe numbers with a 400 naming the field. An admin's
// signed identity is sent, so no route answers 401 before its input is looked at.

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = [
  'GET /api/meetings/mentors/{mentorId}/slots querystring/duration',
  'GET /api/meetings/upcoming querystring/limit',
  'PUT /api/meetings/availability body/horizonDays',
  'PUT /api/meetings/availability body/durations/0',
  'POST /api/meetings/bookings body/duration',
]

t.test('every numeric input of the OpenAPI document refuses non-finite and huge numbers', async (t) => {
  const app = await buildMeeting()
  t.teardown(() => app.close())
  await checkBadNumbersRefused(t, app, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })
})
