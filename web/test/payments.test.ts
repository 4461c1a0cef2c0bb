import t from 'tap'
import type { PaymentState } from '@sunbae/contracts'
import { ApiError } from '../src/lib/errors.ts'
import {
  ActionKeys,
  failureKind,
  formatCountdown,
  formatMoney,
  holdRemaining,
  isRetryable,
  isSandbox,
  minorDigits,
  paymentStatus,
  SANDBOX_CARDS,
  shouldPoll,
} from '../src/lib/payments.ts'
import { en } from '../src/i18n/en/index.ts'
import { ko } from '../src/i18n/ko/index.ts'

const DICTS = { ko, en }

const ALL: PaymentState[] = ['requires_payment', 'processing', 'requires_action', 'succeeded', 'failed', 'cancelled', 'refunded', 'partially_refunded', 'needs_review']

t.test('every payment state maps to what the payer can do next', async (t) => {
  t.same(ALL.map((s) => [s, paymentStatus(s).step]), [
    ['requires_payment', 'pay'],
    ['processing', 'wait'],
    ['requires_action', 'authenticate'],
    ['succeeded', 'paid'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
    ['refunded', 'refunded'],
    ['partially_refunded', 'refunded'],
    // reconciliation could not settle it: the payer waits while an admin looks
    ['needs_review', 'wait'],
  ])
  // open states keep the pay page interactive; the rest show a result
  t.same(ALL.filter((s) => !paymentStatus(s).settled), ['requires_payment', 'processing', 'requires_action', 'needs_review'])
  t.equal(paymentStatus('needs_review').tone, 'error')
  t.equal(paymentStatus('succeeded').tone, 'success')
  t.equal(paymentStatus('failed').tone, 'error')
  t.ok(shouldPoll('processing'))
  t.notOk(shouldPoll('requires_action'))
  t.notOk(shouldPoll(undefined))
  // every state has a label in both languages
  for (const lang of ['ko', 'en'] as const) for (const s of ALL) t.type(DICTS[lang].paymentStates[s], 'string', `${lang} ${s}`)
})

t.test('money is shown in the currency minor unit: KRW has none', async (t) => {
  t.equal(minorDigits('KRW'), 0)
  t.equal(minorDigits('USD'), 2)
  t.equal(formatMoney(30000, 'KRW', 'ko'), '30,000원')
  t.equal(formatMoney(30000, 'KRW', 'en'), '₩30,000')
  t.equal(formatMoney(0, 'KRW', 'ko'), '0원')
  t.equal(formatMoney(1234567, 'KRW', 'ko'), '1,234,567원')
  t.equal(formatMoney(1999, 'USD', 'en'), '$19.99')
  // an unknown currency code still shows the number, not a crash
  t.match(formatMoney(5, 'ZZ', 'en'), /5/)
})

t.test('hold countdown', async (t) => {
  const now = Date.parse('2026-11-27T10:00:00Z')
  t.equal(holdRemaining('2026-11-27T10:10:00Z', now), 600_000)
  t.equal(holdRemaining('2026-11-27T09:59:00Z', now), 0, 'never negative once over')
  t.equal(holdRemaining(null, now), null)
  t.equal(holdRemaining('not a date', now), null)
  t.equal(formatCountdown(600_000), '10:00')
  t.equal(formatCountdown(65_000), '1:05')
  t.equal(formatCountdown(1), '0:01', 'a partial second still counts')
  t.equal(formatCountdown(3_723_000), '1:02:03')
  t.equal(formatCountdown(0), '0:00')
})

t.test('test cards only for the sandbox; failure reasons in our words', async (t) => {
  t.ok(isSandbox('sandbox'))
  t.notOk(isSandbox('toss'))
  t.notOk(isSandbox('stripe'))
  t.notOk(isSandbox(undefined))
  t.same([...SANDBOX_CARDS].sort(), ['tok_authenticate', 'tok_decline', 'tok_delayed', 'tok_insufficient_funds', 'tok_success'])
  for (const lang of ['ko', 'en'] as const) for (const c of SANDBOX_CARDS) t.type(DICTS[lang].paymentCards[c], 'string', `${lang} ${c}`)
  t.equal(failureKind('card_declined'), 'declined')
  t.equal(failureKind('insufficient_funds'), 'insufficient_funds')
  t.equal(failureKind('authentication_failed'), 'authentication_failed')
  t.equal(failureKind('provider_no_record'), 'other')
  t.equal(failureKind(null), 'other')
})

t.test('retryable: outcome unknown (network, 5xx, key in use, payment not created yet)', async (t) => {
  t.ok(isRetryable(new TypeError('Failed to fetch')))
  t.ok(isRetryable(new ApiError(502, { code: 'PROVIDER_UNAVAILABLE', message: 'x' })))
  t.ok(isRetryable(new ApiError(409, { code: 'IDEMPOTENCY_KEY_IN_USE', message: 'x' })))
  t.ok(isRetryable(new ApiError(404, { code: 'BOOKING_NOT_FOUND', message: 'x' })))
  t.notOk(isRetryable(new ApiError(409, { code: 'HOLD_EXPIRED', message: 'x' })))
  t.notOk(isRetryable(new ApiError(422, { code: 'IDEMPOTENCY_KEY_REUSED', message: 'x' })))
  t.notOk(isRetryable(new ApiError(400, { code: 'INVALID_CARD_TOKEN', message: 'x' })))
  t.notOk(isRetryable(new Error('boom')))
})

t.test('one Idempotency-Key per user action, reused only while its outcome is unknown', async (t) => {
  let n = 0
  const keys = new ActionKeys(() => `k${++n}`)
  const sent: string[] = []
  const failing = (err: unknown) => async (k: string) => {
    sent.push(k)
    throw err
  }
  const ok = async (k: string) => {
    sent.push(k)
    return k
  }

  // a network failure: the retry of the same action carries the same key (no second charge)
  await t.rejects(keys.run('confirm:p1:tok_success', failing(new TypeError('offline'))))
  await t.rejects(keys.run('confirm:p1:tok_success', failing(new ApiError(502, { code: 'PROVIDER_UNAVAILABLE', message: '' }))))
  t.equal(await keys.run('confirm:p1:tok_success', ok), 'k1')
  t.same(sent, ['k1', 'k1', 'k1'])

  // the outcome is known: pressing the button again is a new action with a new key
  t.equal(await keys.run('confirm:p1:tok_success', ok), 'k2')
  // another card is another action (the same key with other parameters would be a 422)
  t.equal(keys.keyFor('confirm:p1:tok_decline'), 'k3')
  t.equal(keys.keyFor('confirm:p1:tok_decline'), 'k3', 'asking again before sending reuses it')
  // a definitive refusal settles the action too
  await t.rejects(keys.run('confirm:p1:tok_decline', failing(new ApiError(409, { code: 'HOLD_EXPIRED', message: '' }))))
  t.equal(keys.keyFor('confirm:p1:tok_decline'), 'k4')

  // the default maker is crypto.randomUUID
  const real = new ActionKeys()
  const a = real.keyFor('cancel:p1')
  t.match(a, /^[0-9a-f-]{36}$/)
  t.equal(real.keyFor('cancel:p1'), a)
  t.not(real.keyFor('cancel:p2'), a)
})
