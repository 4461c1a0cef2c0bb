import type { PaymentState } from '@sunbae/contracts'
import { conflict } from '@sunbae/service-kit'

/** The only moves a payment can make. Anything else is refused (409 ILLEGAL_TRANSITION). */
export const TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  requires_payment: ['processing', 'cancelled'],
  processing: ['succeeded', 'failed', 'requires_action'],
  requires_action: ['processing', 'succeeded', 'failed', 'cancelled'],
  succeeded: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  failed: [],
  cancelled: [],
  refunded: [],
}

export const canMove = (from: PaymentState, to: PaymentState): boolean => TRANSITIONS[from].includes(to)

export function assertMove(from: PaymentState, to: PaymentState): void {
  if (!canMove(from, to)) throw conflict(`A ${from} payment cannot become ${to}`, 'ILLEGAL_TRANSITION')
}

/** States whose money is (partly) with us: refunds apply to these. */
export const PAID: readonly PaymentState[] = ['succeeded', 'partially_refunded']
