import t from 'tap'
import { fuzzTest } from '@sunbae/testing'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { buildMeeting } from './helpers.ts'

// Issue 20: every operation of this service's OpenAPI document, found anew on each run, is fuzzed as
// an anonymous caller, a mentee, a mentor and an admin (see fuzzTest): no 5xx, every 4xx in the
// platform's error shape, nothing internal in a body.
fuzzTest(t, buildMeeting, { minOperations: 5, identity: (role) => identityHeaders({ uid: `fuzz-${role}`, role }) })
