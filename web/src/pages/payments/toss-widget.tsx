// The Toss Payments payment widget (SDK v2 standard): loadTossPayments(clientKey) → widgets() →
// setAmount (our payment's amount) → payment methods and agreement rendered → requestPayment with our
// payment id as orderId, which leaves for Toss' payment window and comes back to /payments/toss/success
// (or /fail), where our server confirms the paymentKey (toss-return.tsx). The client key comes from
// payment (GET /api/payments/providers). The SDK is only in this page's chunk.
import { Alert, Button, Flex } from 'antd'
import { ANONYMOUS, loadTossPayments, type TossPaymentsWidgets } from '@tosspayments/tosspayments-sdk'
import { useEffect, useRef, useState } from 'react'
import type { Payment } from '@sunbae/contracts'
import { useI18n } from '../../i18n/index.tsx'
import { Loading } from '../../components/States.tsx'

export function TossPay({ payment, clientKey, orderName, label, busy }: { payment: Payment; clientKey: string; orderName: string; label: string; busy: boolean }) {
  const { t } = useI18n()
  const [widgets, setWidgets] = useState<TossPaymentsWidgets | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [paying, setPaying] = useState(false)
  const slot = useRef<HTMLDivElement>(null)
  useEffect(() => {
    let live = true
    // fresh targets per run: a run cleaned up before its widgets were drawn (React's dev double effect,
    // a new amount) finds its targets gone and draws nothing, instead of a second widget beside the first
    const run = Math.random().toString(36).slice(2)
    const methods = document.createElement('div')
    methods.id = `toss-payment-methods-${run}`
    const agreement = document.createElement('div')
    agreement.id = `toss-agreement-${run}`
    slot.current?.append(methods, agreement)
    void (async () => {
      try {
        const toss = await loadTossPayments(clientKey)
        // no saved payment methods (brandpay) here: the payer is anonymous to Toss
        const w = toss.widgets({ customerKey: ANONYMOUS })
        await w.setAmount({ currency: 'KRW', value: payment.amount })
        if (!live) return
        await Promise.all([w.renderPaymentMethods({ selector: `#${methods.id}`, variantKey: 'DEFAULT' }), w.renderAgreement({ selector: `#${agreement.id}`, variantKey: 'AGREEMENT' })])
        if (live) setWidgets(w)
      } catch (err) {
        if (live) setError((err as Error).message || '')
      }
    })()
    return () => {
      live = false
      methods.remove()
      agreement.remove()
    }
  }, [clientKey, payment.amount])
  const pay = async () => {
    if (!widgets) return
    setPaying(true)
    setError(null)
    try {
      await widgets.requestPayment({
        orderId: payment.id,
        orderName,
        successUrl: `${window.location.origin}/payments/toss/success`,
        failUrl: `${window.location.origin}/payments/toss/fail`,
      })
    } catch (err) {
      // the payer closed the payment window, or the widget refused the request
      setError((err as Error).message || '')
      setPaying(false)
    }
  }
  return (
    <Flex vertical gap={12} data-testid="toss-form">
      {!widgets && error === null && <Loading />}
      <div ref={slot} />
      {error !== null && <Alert type="error" showIcon title={error || t.paymentFormUnavailable} data-testid="toss-error" />}
      <Button type="primary" size="large" block data-testid="pay-button" disabled={!widgets || busy} loading={paying} onClick={() => void pay()}>
        {label}
      </Button>
    </Flex>
  )
}
