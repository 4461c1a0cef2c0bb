/**
 * @sunbae/testing — helpers for tests against real dependencies (no mocks):
 * - Auth emulator users and ID tokens: createEmulatorUser, emulatorToken, setEmulatorClaims, authEmulatorMissing
 * - forged tokens for negative tests: forgeToken
 * - upstream HTTP servers on port 0: startUpstream, deadUpstreamUrl, readBody
 * - polling: waitFor
 * - what a service published on a JetStream stream: readEvents
 * - every numeric input of an OpenAPI document refuses non-finite and huge numbers: refuseBadNumbers, checkBadNumbersRefused, badNumbersTest
 * - a route fuzz of every operation of an OpenAPI document (issue 20): fuzzRoutes, checkFuzz, fuzzTest
 * - shared test data: mentorProfile (a catalog mentor profile)
 * Subpaths without firebase-admin: ./emulators, ./nats-server, ./processes, ./fixtures, ./offline-env
 */
export * from './emulator.ts'
export * from './forge.ts'
export * from './upstream.ts'
export * from './wait.ts'
export * from './events.ts'
export * from './numbers.ts'
export * from './fixtures.ts'
export * from './raw-http.ts'
export * from './fuzz.ts'
