import t from 'tap'
import type { Booking } from '@sunbae/contracts'
import { reviewableSessions, reviewState } from '../src/lib/reviews.ts'

const MENTOR = '0190a1b2-0000-7000-8000-000000000001'
const OTHER = '0190a1b2-0000-7000-8000-000000000002'
let n = 0
const booking = (over: Partial<Booking>): Booking => ({
  id: `0190a1b2-0000-7000-8000-1000000000${String(++n).padStart(2, '0')}`,
  state: 'completed',
  mentorId: MENTOR,
  mentorUid: 'mentor-uid',
  menteeUid: 'me',
  start: '2026-11-20T10:00:00.000Z',
  end: '2026-11-20T11:00:00.000Z',
  duration: 60,
  price: 0,
  currency: 'KRW',
  holdExpiresAt: null,
  videoUrl: null,
  roomUrl: 'http://127.0.0.1/sessions/x/room',
  attendance: { mentee: { joinedAt: null }, mentor: { joinedAt: null } },
  previousBookingId: null,
  rescheduledToId: null,
  cancelledBy: null,
  reason: null,
  refund: null,
  refundTerms: { fullRefundHours: 24, partialRefundHours: 2, partialRefundPercent: 50, capPercent: 100, movedByMentor: false },
  noShowUntil: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  ...over,
})

t.test('only my completed sessions with this mentor can be reviewed, newest first', async (t) => {
  const older = booking({ start: '2026-11-10T10:00:00.000Z' })
  const newer = booking({ start: '2026-11-21T10:00:00.000Z' })
  const list = [
    older,
    booking({ state: 'confirmed' }),
    booking({ state: 'cancelled' }),
    booking({ state: 'no_show' }),
    booking({ mentorId: OTHER }),
    booking({ menteeUid: 'someone-else' }),
    newer,
  ]
  t.same(reviewableSessions(list, MENTOR, 'me').map((b) => b.id), [newer.id, older.id])
  t.same(reviewableSessions(list, MENTOR, 'me', new Set([newer.id])).map((b) => b.id), [older.id], 'a reviewed session is left out')
})

t.test('the state says why the form is not offered', async (t) => {
  const done = booking({})
  t.same(reviewState(null, null, [done], MENTOR), { kind: 'signedOut' })
  t.same(reviewState({ role: 'mentee' }, 'me', [], MENTOR), { kind: 'noSession' })
  t.same(reviewState({ role: 'mentee' }, 'me', [booking({ state: 'confirmed' })], MENTOR), { kind: 'noSession' }, 'a session still ahead is not enough')
  t.same(reviewState({ role: 'mentee' }, 'me', [done], MENTOR, new Set([done.id])), { kind: 'noSession' })
  const ready = reviewState({ role: 'mentor' }, 'me', [done], MENTOR)
  t.equal(ready.kind, 'ready', 'a mentor can review someone they were mentored by')
  t.same(ready.kind === 'ready' && ready.sessions.map((b) => b.id), [done.id])
})
