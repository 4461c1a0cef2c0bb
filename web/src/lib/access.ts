// What each role may see and do in the web app. The gateway and the services decide for real; this
// only keeps the UI from offering what would be refused. Plain TS (no JSX) so tap can test it.
import type { Role } from '@sunbae/contracts'

/** The viewer: null when signed out. */
export type Viewer = { role: Role } | null

export type Area = 'search' | 'mentor' | 'login' | 'signup' | 'me' | 'apply' | 'chat' | 'admin'
export type Action =
  | 'requestChat'
  | 'editPreferences'
  | 'seeRecommendations'
  | 'seeOutbox'
  | 'seeInbox'
  | 'decideRequests'
  | 'editMentorProfile'
  | 'editCapacity'
  | 'seeMyMentees'
  | 'applyAsMentor'
  | 'reviewApplications'
  | 'manageRoles'
  | 'seeTracking'
  | 'writeReview'
  | 'suspendMentors'
  | 'moderateChat'

const PUBLIC: readonly Area[] = ['search', 'mentor']
const GUEST_ONLY: readonly Area[] = ['login', 'signup']

const AREAS: Record<Role, readonly Area[]> = {
  mentee: [...PUBLIC, 'me', 'apply', 'chat'],
  mentor: [...PUBLIC, 'me', 'chat'],
  admin: [...PUBLIC, 'me', 'chat', 'admin'],
}

const ACTIONS: Record<Role, readonly Action[]> = {
  // Anyone signed in may ask a mentor for a chat and keep preferences; the mentee side of matching
  // is open to every role (a mentor can be someone else's mentee).
  // A review needs a completed session with the mentor, which any role can have had as a mentee.
  mentee: ['requestChat', 'editPreferences', 'seeRecommendations', 'seeOutbox', 'applyAsMentor', 'writeReview'],
  mentor: ['requestChat', 'editPreferences', 'seeRecommendations', 'seeOutbox', 'seeInbox', 'decideRequests', 'editMentorProfile', 'editCapacity', 'seeMyMentees', 'writeReview'],
  admin: ['requestChat', 'editPreferences', 'seeRecommendations', 'seeOutbox', 'reviewApplications', 'manageRoles', 'seeTracking', 'writeReview', 'suspendMentors', 'moderateChat'],
}

export function canSee(viewer: Viewer, area: Area): boolean {
  if (PUBLIC.includes(area)) return true
  if (!viewer) return GUEST_ONLY.includes(area)
  return AREAS[viewer.role].includes(area)
}

export function can(viewer: Viewer, action: Action): boolean {
  return viewer ? ACTIONS[viewer.role].includes(action) : false
}

/** Where a refused visitor goes: signed-out users to log in (and back), others home. */
export function redirectFor(viewer: Viewer, area: Area, from: string): string | null {
  if (canSee(viewer, area)) return null
  if (!viewer) return `/login?next=${encodeURIComponent(from)}`
  return '/'
}

/** A safe post-login target: only a same-site path, never another origin. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  return next
}

/** The menu entries a viewer gets, in order. */
export function menuFor(viewer: Viewer): Area[] {
  const order: Area[] = ['search', 'me', 'chat', 'apply', 'admin', 'login', 'signup']
  return order.filter((a) => canSee(viewer, a))
}
