// A local stand-in of the Toss Payments SDK v2 standard script (https://js.tosspayments.com/v2/standard),
// served to the browser by the payment journey (page.route) because the real script cannot be loaded
// here. It speaks the documented surface the pay page uses (docs.tosspayments.com, SDK v2):
// TossPayments(clientKey).widgets({ customerKey }) → setAmount({ currency, value }) →
// renderPaymentMethods({ selector }) (a card choice drawn in the page instead of Toss' iframe) →
// renderAgreement({ selector }) → requestPayment({ orderId, orderName, successUrl, failUrl }), which
// opens a payment session at https://api.tosspayments.com (routed by the journey to the Toss API
// stand-in of @sunbae/testing/provider-apis) and goes to successUrl with paymentKey, orderId and amount —
// or to failUrl with code and message when the payer picks the card that is refused.
;(() => {
  const API = 'https://api.tosspayments.com'
  function TossPayments(clientKey) {
    if (typeof clientKey !== 'string' || !/^(test|live)_g?ck_/.test(clientKey)) throw new Error('TossPayments(): a client key is required')
    return {
      widgets({ customerKey } = {}) {
        if (!customerKey) throw new Error('widgets(): customerKey is required')
        let amount = null
        let method = null
        return {
          async setAmount(a) {
            if (!a || a.currency !== 'KRW' || !Number.isSafeInteger(a.value) || a.value < 0) throw new Error('setAmount(): KRW and a whole amount')
            amount = a
          },
          async renderPaymentMethods({ selector }) {
            if (!amount) throw Object.assign(new Error('결제 금액이 설정되지 않았습니다.'), { code: 'NOT_SETUP_AMOUNT' })
            const root = document.querySelector(selector)
            const group = document.createElement('div')
            group.setAttribute('role', 'radiogroup')
            group.setAttribute('aria-label', '결제 방법')
            group.dataset.standin = 'toss-payment-methods'
            for (const [value, label] of [['CARD', '신용·체크카드'], ['REJECT', '한도 초과 카드 (테스트)']]) {
              const l = document.createElement('label')
              l.style.cssText = 'display:flex;gap:8px;align-items:center;margin-bottom:4px'
              const r = document.createElement('input')
              r.type = 'radio'
              r.name = 'toss-standin-method'
              r.value = value
              r.checked = value === 'CARD'
              r.addEventListener('change', () => (method = value))
              l.append(r, document.createTextNode(label))
              group.append(l)
            }
            method = 'CARD'
            root.append(group)
            return { on() {}, getSelectedPaymentMethod: async () => ({ type: 'NORMAL', method }), destroy: async () => group.remove() }
          },
          async renderAgreement({ selector }) {
            const root = document.querySelector(selector)
            const p = document.createElement('p')
            p.dataset.standin = 'toss-agreement'
            p.textContent = '[필수] 결제 서비스 이용 약관, 개인정보 처리 동의'
            root.append(p)
            return { on() {}, destroy: async () => p.remove() }
          },
          async requestPayment({ orderId, orderName, successUrl, failUrl }) {
            if (!orderId || !orderName || !successUrl || !failUrl) throw new Error('requestPayment(): orderId, orderName, successUrl and failUrl are required')
            if (method === 'REJECT') {
              const fail = new URL(failUrl)
              fail.search = new URLSearchParams({ code: 'REJECT_CARD_COMPANY', message: '카드사에서 결제를 거절했습니다.', orderId }).toString()
              window.location.assign(fail.toString())
              return
            }
            const res = await fetch(`${API}/v1/stand-in/payment-sessions`, { method: 'POST', body: new URLSearchParams({ clientKey, orderId, amount: String(amount.value) }) })
            const session = await res.json()
            if (!res.ok) throw Object.assign(new Error(session.message), { code: session.code })
            const ok = new URL(successUrl)
            ok.search = new URLSearchParams({ paymentType: 'NORMAL', orderId, paymentKey: session.paymentKey, amount: String(amount.value) }).toString()
            window.location.assign(ok.toString())
          },
        }
      },
    }
  }
  TossPayments.ANONYMOUS = '@@ANONYMOUS'
  window.TossPayments = TossPayments
})()
