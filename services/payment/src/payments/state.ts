import type { PaymentState } from '@sunbae/contracts'
import { conflict } from '@sunbae/service-kit'

/**
 * The only moves a payment can make. Anything else is refused (409 ILLEGAL_TRANSITION).
 *
 * A payment success is never ignored: the provider may complete a charge after we gave up on it (3-D
 * Secure finished after the hold was released, a charge reconciliation thought never happened), so
 * `cancelled` and `failed` may still become `succeeded` — only by the provider's word, with the
 * charge booked and a full refund queued in the same transaction. `needs_review` holds a payment
 * reconciliation could not settle; a later answer from the provider still settles it.
 */
export const TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  requires_payment: ['processing', 'cancelled'],
  processing: ['succeeded', 'failed', 'requires_action', 'needs_review'],
  requires_action: ['processing', 'succeeded', 'failed', 'cancelled', 'needs_review'],
  needs_review: ['succeeded', 'failed', 'cancelled'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  failed: ['succeeded'],
  cancelled: ['succeeded'],
  refunded: [],
}

export const canMove = (from: PaymentState, to: PaymentState): boolean => TRANSITIONS[from].includes(to)

export function assertMove(from: PaymentState, to: PaymentState): void {
  if (!canMove(from, to)) throw conflict(`A ${from} payment cannot become ${to}`, 'ILLEGAL_TRANSITION')
}

/** States that wait on the provider's answer: its answer is applied to these. */
export const WAITING: readonly PaymentState[] = ['processing', 'requires_action', 'needs_review']

/** Ended without our asking for money any more; a success reported for them is booked and refunded. */
export const GAVE_UP: readonly PaymentState[] = ['cancelled', 'failed']

/** States whose money is (partly) with us: refunds apply to these. */
export const PAID: readonly PaymentState[] = ['succeeded', 'partially_refunded']
