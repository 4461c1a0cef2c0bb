import t from 'tap'
import { badNumbersTest } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildMeeting } from './helpers.ts'

// Issue 16: every numeric input of this service's OpenAPI document refuses non-finite and huge numbers (see badNumbersTest).

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = [
  'GET /api/meetings/mentors/{mentorId}/slots querystring/duration',
  'GET /api/meetings/upcoming querystring/limit',
  'PUT /api/meetings/availability body/horizonDays',
  'PUT /api/meetings/availability body/durations/0',
  'POST /api/meetings/bookings body/duration',
]

badNumbersTest(t, buildMeeting, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })
