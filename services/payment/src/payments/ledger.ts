import { randomUUID } from 'node:crypto'
import type { NewLedgerEntry } from './ledger.table.ts'

interface Paid {
  id: string
  amount: number
  fee: number
  currency: string
  mentor_uid: string | null
}

/**
 * Double-entry lines (debit +, credit −), one ledger transaction each, written in the payment's
 * transaction; a deferred constraint trigger refuses to commit a ledger transaction that does not
 * sum to zero.
 *
 * - charge: provider_cash +amount (mentee_charge) = mentor_payable −(amount−fee) + platform_revenue −fee
 * - refund r: provider_cash −r = mentor_payable +(r−f) + platform_revenue +f, where f is the fee's
 *   share of r, computed on the running total so a full refund gives back exactly the fee.
 */
export function chargeEntries(p: Paid): NewLedgerEntry[] {
  return entries(p, [
    { account: 'provider_cash', kind: 'mentee_charge', amount: p.amount, mentor_uid: null },
    { account: 'mentor_payable', kind: 'mentor_payable', amount: -(p.amount - p.fee), mentor_uid: p.mentor_uid },
    { account: 'platform_revenue', kind: 'platform_fee', amount: -p.fee, mentor_uid: null },
  ])
}

export function refundEntries(p: Paid, refundedBefore: number, amount: number): NewLedgerEntry[] {
  const feeShare = (refunded: number) => Math.floor((p.fee * refunded) / p.amount)
  const feeBack = feeShare(refundedBefore + amount) - feeShare(refundedBefore)
  return entries(p, [
    { account: 'provider_cash', kind: 'refund', amount: -amount, mentor_uid: null },
    { account: 'mentor_payable', kind: 'refund_mentor_payable', amount: amount - feeBack, mentor_uid: p.mentor_uid },
    { account: 'platform_revenue', kind: 'refund_platform_fee', amount: feeBack, mentor_uid: null },
  ])
}

type Line = { account: string; kind: string; amount: number; mentor_uid: string | null }

function entries(p: Paid, lines: Line[]): NewLedgerEntry[] {
  const txn = randomUUID()
  return lines.filter((l) => l.amount !== 0).map((l) => ({ ...l, txn_id: txn, payment_id: p.id, currency: p.currency }))
}
