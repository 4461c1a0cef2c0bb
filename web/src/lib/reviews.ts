// Whether the viewer may review a mentor, and which sessions they can review. The catalog decides
// for real (a review needs a completed session of this mentee with this mentor, one per session);
// this only keeps the mentor page from offering a form the server would refuse, and says why.
import type { Booking } from '@sunbae/contracts'
import { can, type Viewer } from './access.ts'

export type ReviewState =
  | { kind: 'signedOut' }
  | { kind: 'notAllowed' }
  /** signed in, but no completed session with this mentor that is not reviewed yet */
  | { kind: 'noSession' }
  | { kind: 'ready'; sessions: Booking[] }

/**
 * Completed sessions of `uid` as the mentee with this mentor, newest first, minus those already
 * reviewed (as far as this page knows: reviewed here, or refused by the server as reviewed).
 */
export function reviewableSessions(bookings: readonly Booking[], mentorId: string, uid: string, reviewed: ReadonlySet<string> = new Set()): Booking[] {
  return bookings
    .filter((b) => b.state === 'completed' && b.mentorId === mentorId && b.menteeUid === uid && !reviewed.has(b.id))
    .sort((a, b) => b.start.localeCompare(a.start))
}

export function reviewState(viewer: Viewer, uid: string | null, bookings: readonly Booking[], mentorId: string, reviewed?: ReadonlySet<string>): ReviewState {
  if (!viewer || !uid) return { kind: 'signedOut' }
  if (!can(viewer, 'writeReview')) return { kind: 'notAllowed' }
  const sessions = reviewableSessions(bookings, mentorId, uid, reviewed)
  return sessions.length ? { kind: 'ready', sessions } : { kind: 'noSession' }
}
