// Payment logic of the web app, plain TS so tap can test it: what a payment's state means on screen,
// money in the currency's own units, the hold countdown, the sandbox's test cards, and one
// Idempotency-Key per user action (kept for retries of that action, new for the next action).
import type { PaymentState } from '@sunbae/contracts'
import { ApiError } from './errors.ts'

/** What the payer can do next, by state. */
export type PaymentStep = 'pay' | 'authenticate' | 'wait' | 'paid' | 'failed' | 'cancelled' | 'refunded'

export interface PaymentStatus {
  step: PaymentStep
  /** antd Tag / Result colour */
  tone: 'success' | 'processing' | 'warning' | 'error' | 'default'
  /** no move is left for the payer (failed, cancelled, refunded) or it is settled (paid) */
  settled: boolean
}

const STATUS: Record<PaymentState, PaymentStatus> = {
  requires_payment: { step: 'pay', tone: 'warning', settled: false },
  processing: { step: 'wait', tone: 'processing', settled: false },
  requires_action: { step: 'authenticate', tone: 'warning', settled: false },
  succeeded: { step: 'paid', tone: 'success', settled: true },
  partially_refunded: { step: 'refunded', tone: 'default', settled: true },
  refunded: { step: 'refunded', tone: 'default', settled: true },
  failed: { step: 'failed', tone: 'error', settled: true },
  cancelled: { step: 'cancelled', tone: 'default', settled: true },
  // reconciliation could not settle it: admins look at it; the payer waits
  needs_review: { step: 'wait', tone: 'error', settled: false },
}

export function paymentStatus(state: PaymentState): PaymentStatus {
  return STATUS[state]
}

/** The payment is waiting on the provider: poll GET /api/payments/:id. */
export const shouldPoll = (state: PaymentState | undefined): boolean => state === 'processing'

/** Digits after the decimal point of a currency (KRW and JPY have none, USD two). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** An amount in the currency's minor unit, for people: "12,000원" in Korean, "₩12,000" in English. */
export function formatMoney(amount: number, currency: string, lang: string): string {
  const digits = minorDigits(currency)
  const value = amount / 10 ** digits
  if (lang === 'ko' && currency === 'KRW') return `${value.toLocaleString('ko-KR')}원`
  try {
    return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)
  } catch {
    return `${value.toLocaleString('en-US')} ${currency}`
  }
}

/** Milliseconds left on the hold (never negative); null when there is no deadline. */
export function holdRemaining(holdExpiresAt: string | null | undefined, now: number): number | null {
  if (!holdExpiresAt) return null
  const end = Date.parse(holdExpiresAt)
  if (Number.isNaN(end)) return null
  return Math.max(0, end - now)
}

/** "9:05" or "1:02:03" for a countdown. */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`
}

/** The sandbox provider's deterministic test cards (services/payment/README.md). */
export const SANDBOX_CARDS = ['tok_success', 'tok_authenticate', 'tok_decline', 'tok_insufficient_funds', 'tok_delayed'] as const
export type SandboxCard = (typeof SANDBOX_CARDS)[number]

/** Test cards are offered only for a payment the sandbox takes; a real provider needs its own widget. */
export const isSandbox = (provider: string | undefined): boolean => provider === 'sandbox'

/** Known failure reasons get our own words; anything else shows the server's code. */
export type FailureKind = 'declined' | 'insufficient_funds' | 'authentication_failed' | 'other'
export function failureKind(reason: string | null | undefined): FailureKind {
  switch (reason) {
    case 'card_declined':
      return 'declined'
    case 'insufficient_funds':
      return 'insufficient_funds'
    case 'authentication_failed':
      return 'authentication_failed'
    default:
      return 'other'
  }
}

/** Whether the same action may be sent again with the same key: the outcome is not known yet. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) {
    if (err.status >= 500) return true
    // the payment is created from meeting's event a moment after the booking is held
    return err.code === 'IDEMPOTENCY_KEY_IN_USE' || err.code === 'BOOKING_NOT_FOUND'
  }
  // fetch's network failure: the request may or may not have reached the server
  return err instanceof TypeError
}

/**
 * One Idempotency-Key per user action. An action is named with what it sends ("confirm:<payment>:
 * <card>"), so a retry of the same action reuses its key (the server answers the first outcome, no
 * second charge) while another card is another action with a new key. `settle` forgets the key once
 * the action's outcome is known, so pressing the button again later is a new action.
 */
export class ActionKeys {
  readonly #keys = new Map<string, string>()
  readonly #make: () => string
  constructor(make: () => string = () => crypto.randomUUID()) {
    this.#make = make
  }

  keyFor(action: string): string {
    let key = this.#keys.get(action)
    if (!key) {
      key = this.#make()
      this.#keys.set(action, key)
    }
    return key
  }

  /** After an answer: keep the key only when the outcome is unknown (network, 5xx, key in use). */
  settle(action: string, err?: unknown): void {
    if (err === undefined || !isRetryable(err)) this.#keys.delete(action)
  }

  /** Runs an action with its key and settles it. */
  async run<T>(action: string, fn: (key: string) => Promise<T>): Promise<T> {
    const key = this.keyFor(action)
    try {
      const out = await fn(key)
      this.settle(action)
      return out
    } catch (err) {
      this.settle(action, err)
      throw err
    }
  }
}
