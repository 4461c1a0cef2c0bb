// The refund rule shared by the meeting service and the web's cancel dialog (rules/refund.ts).
import t from 'tap'
import { initialRefundTerms, policyPercent, refundFor, refundPercent, sessionPrice, termsAfterReschedule, type RefundTerms } from '../src/index.ts'

const H = 3_600_000
const now = Date.parse('2026-03-01T00:00:00Z')
const at = (hours: number) => now + hours * H
const policy = { fullRefundHours: 24, partialRefundHours: 2, partialRefundPercent: 50 }
const terms = initialRefundTerms(policy)
const session = (hoursBefore: number, price = 60_000, refundTerms: RefundTerms = terms) => ({ price, currency: 'KRW', paymentId: null, start: at(hoursBefore), refundTerms })

t.test('a first booking: the notice policy alone', async (t) => {
  t.same(terms, { ...policy, capPercent: 100, movedByMentor: false })
  t.match(refundFor(session(48), 'mentee', now), { outcome: 'full', percent: 100, amount: 60_000 })
  t.match(refundFor(session(24), 'mentee', now), { outcome: 'full' }, 'exactly at the notice counts')
  t.match(refundFor(session(23.9), 'mentee', now), { outcome: 'partial', percent: 50, amount: 30_000 })
  t.match(refundFor(session(2), 'mentee', now), { outcome: 'partial', percent: 50 })
  t.match(refundFor(session(1.9), 'mentee', now), { outcome: 'none', percent: 0, amount: 0 })
  t.match(refundFor(session(0.5), 'mentor', now), { outcome: 'full', amount: 60_000 }, 'a mentor cancelling always refunds in full')
  t.equal(refundFor(session(48, 0), 'mentee', now), null, 'nothing paid, nothing to refund')
  t.match(refundFor(session(5, 33_333, initialRefundTerms({ ...policy, partialRefundPercent: 30 })), 'mentee', now), { outcome: 'partial', amount: 9_999 }, 'rounded down')
  t.equal(policyPercent({ ...policy, partialRefundPercent: 0 }, 5 * H), 0, 'a 0 % partial refund is no refund')
  t.match(refundFor({ ...session(48), start: new Date(at(48)).toISOString() }, 'mentee', now), { outcome: 'full' }, 'an ISO start works the same')
})

t.test("a mentee's move keeps what cancelling then would have earned (the bypass of issue 16)", async (t) => {
  // booked for +5 h (partial window), moved to +48 h, cancelled an hour later: still 50 %
  const moved = termsAfterReschedule(terms, at(5), 'mentee', now)
  t.same(moved, { ...terms, capPercent: 50, movedByMentor: false })
  t.match(refundFor(session(48, 60_000, moved), 'mentee', at(1)), { outcome: 'partial', percent: 50, amount: 30_000 })
  // A (+1 h, no refund) → B (+48 h) → C (+72 h): nothing, all the way
  const b = termsAfterReschedule(terms, at(1), 'mentee', now)
  const c = termsAfterReschedule(b, at(48), 'mentee', at(0.5))
  t.equal(c.capPercent, 0)
  t.match(refundFor(session(72, 60_000, c), 'mentee', now), { outcome: 'none', amount: 0 })
  // moved early (full window): nothing spent, the new start is judged by the policy as usual
  const early = termsAfterReschedule(terms, at(48), 'mentee', now)
  t.equal(early.capPercent, 100)
  t.match(refundFor(session(72, 60_000, early), 'mentee', now), { outcome: 'full' })
  t.match(refundFor(session(5, 60_000, early), 'mentee', now), { outcome: 'partial', percent: 50 }, 'moved closer: the new notice counts too')
  t.match(refundFor(session(5, 60_000, moved), 'mentor', now), { outcome: 'full' }, 'the mentor cancelling still refunds in full')
})

t.test("the mentor's move costs the mentee nothing", async (t) => {
  // the mentor moves a +48 h session to +3 h: the mentee may still cancel for everything
  const byMentor = termsAfterReschedule(terms, at(48), 'mentor', now)
  t.same(byMentor, { ...terms, movedByMentor: true })
  t.equal(refundPercent(byMentor, at(3), 'mentee', now), 100)
  t.equal(refundPercent(byMentor, at(0.5), 'mentee', now), 100, 'whatever the notice')
  // a mentee's earlier move still caps it; the mentor's later move neither lowers nor raises it
  const capped = termsAfterReschedule(terms, at(5), 'mentee', now)
  const thenMentor = termsAfterReschedule(capped, at(30), 'mentor', now)
  t.equal(refundPercent(thenMentor, at(60), 'mentee', now), 50)
  // and the mentee moving a session the mentor moved keeps the cap, then gives notice again
  const thenMentee = termsAfterReschedule(byMentor, at(3), 'mentee', now)
  t.same(thenMentee, { ...terms, capPercent: 100, movedByMentor: false })
  t.equal(refundPercent(thenMentee, at(1), 'mentee', now), 0)
})

t.test('the session price', async (t) => {
  t.equal(sessionPrice(50_000, 45), 37_500)
  t.equal(sessionPrice(10_001, 30), 5_001, 'rounded')
  t.equal(sessionPrice(0, 60), 0)
})
