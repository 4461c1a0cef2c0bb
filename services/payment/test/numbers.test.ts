import t from 'tap'
import { badNumbersTest } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildPayment } from './helpers.ts'

// Issue 16: every numeric input of this service's OpenAPI document refuses non-finite and huge numbers (see badNumbersTest).

/** Inputs this service has today: the walk must at least find these. */
const KNOWN = [
  'GET /api/payments/mine querystring/limit',
  'GET /api/admin/payments/ querystring/limit',
]

badNumbersTest(t, buildPayment, { known: KNOWN, headers: () => identityHeaders({ uid: 'numbers-admin', role: 'admin' }) })
