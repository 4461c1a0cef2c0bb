import type { PaymentFailedV1, PaymentRefundedV1, PaymentSucceededV1 } from '@sunbae/contracts'
import type { Locale } from './categories.ts'
import { formatTime } from './format.ts'
import type { Message } from './message.ts'

const money = (amount: number, currency: string, l: Locale): string =>
  new Intl.NumberFormat(l === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency }).format(amount)

/** Receipts are transactional: always sent, whatever the preferences. */
export function paymentSucceeded(d: PaymentSucceededV1): Message {
  return {
    category: 'receipts',
    link: `/payments/${d.paymentId}`,
    render: (l, zone) => {
      const amount = money(d.amount, d.currency, l)
      const at = formatTime(d.succeededAt, l, zone)
      return l === 'ko'
        ? { title: `결제 영수증: ${amount}`, body: `${at}에 결제되었습니다.`, paragraphs: [`${amount} 결제가 완료되었습니다.`, `결제 일시: ${at}`, `결제 번호: ${d.paymentId}`], action: '영수증 보기' }
        : { title: `Receipt: ${amount}`, body: `Paid on ${at}.`, paragraphs: [`Your payment of ${amount} went through.`, `Paid: ${at}`, `Payment: ${d.paymentId}`], action: 'See the receipt' }
    },
  }
}

export function paymentFailed(d: PaymentFailedV1): Message {
  return {
    category: 'receipts',
    link: `/payments/booking/${d.bookingId}`,
    render: (l) => {
      const amount = money(d.amount, d.currency, l)
      return l === 'ko'
        ? { title: `결제에 실패했습니다: ${amount}`, body: '예약이 확정되지 않았습니다. 다시 시도해 주세요.', paragraphs: [`${amount} 결제에 실패했습니다.`, `사유: ${d.reason}`, '예약은 확정되지 않았습니다.'], action: '다시 결제하기' }
        : { title: `Payment failed: ${amount}`, body: 'Your booking is not confirmed. Please try again.', paragraphs: [`Your payment of ${amount} failed.`, `Reason: ${d.reason}`, 'The booking is not confirmed.'], action: 'Try again' }
    },
  }
}

export function paymentRefunded(d: PaymentRefundedV1): Message {
  return {
    category: 'receipts',
    link: `/payments/${d.paymentId}`,
    render: (l, zone) => {
      const refund = money(d.refundAmount, d.currency, l)
      const total = money(d.refundedTotal, d.currency, l)
      const at = formatTime(d.refundedAt, l, zone)
      return l === 'ko'
        ? { title: `환불 완료: ${refund}`, body: `${at}에 환불되었습니다.`, paragraphs: [`${refund}이 환불되었습니다 (누적 ${total}).`, `환불 일시: ${at}`, `결제 번호: ${d.paymentId}`], action: '결제 내역 보기' }
        : { title: `Refunded: ${refund}`, body: `Refunded on ${at}.`, paragraphs: [`${refund} was refunded (${total} in all).`, `Refunded: ${at}`, `Payment: ${d.paymentId}`], action: 'See the payment' }
    },
  }
}

const EARNINGS_PAGE = '/me?tab=earnings'

/** To the mentor: a session of theirs was paid (it counts toward their payout). */
export function sessionPaid(d: PaymentSucceededV1): Message {
  return {
    category: 'payouts',
    link: EARNINGS_PAGE,
    render: (l) => {
      const amount = money(d.amount, d.currency, l)
      return l === 'ko'
        ? { title: `세션 결제 완료: ${amount}`, body: '정산 대상에 포함됩니다.', paragraphs: [`멘티가 세션 비용 ${amount}을 결제했습니다.`, '이 금액은 정산 대상에 포함됩니다.'], action: '수익 보기' }
        : { title: `Session paid: ${amount}`, body: 'It counts toward your payout.', paragraphs: [`A mentee paid ${amount} for a session with you.`, 'It counts toward your payout.'], action: 'See your earnings' }
    },
  }
}

/** To the mentor: money of a session of theirs went back to the mentee (their payout shrinks). */
export function sessionRefunded(d: PaymentRefundedV1): Message {
  return {
    category: 'payouts',
    link: EARNINGS_PAGE,
    render: (l) => {
      const refund = money(d.refundAmount, d.currency, l)
      return l === 'ko'
        ? { title: `세션 환불: ${refund}`, body: '환불된 금액은 정산에서 제외됩니다.', paragraphs: [`세션 결제 중 ${refund}이 멘티에게 환불되었습니다.`, '환불된 금액은 정산에서 제외됩니다.'], action: '수익 보기' }
        : { title: `Session refunded: ${refund}`, body: 'Refunded money is not paid out.', paragraphs: [`${refund} of a session's payment went back to the mentee.`, 'Refunded money is not paid out.'], action: 'See your earnings' }
    },
  }
}
