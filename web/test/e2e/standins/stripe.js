// A local stand-in of Stripe.js (https://js.stripe.com/<release>/stripe.js), served to the browser by the
// payment journey (page.route) because the real script cannot be loaded here. It speaks the documented
// surface the pay page uses (docs.stripe.com/js): Stripe(publishableKey) with elements({ mode, amount,
// currency, paymentMethodCreation }) → create('payment') → mount (card number, expiry and CVC fields
// drawn in the page instead of Stripe's iframe), elements.submit(), createPaymentMethod({ elements })
// and handleNextAction({ clientSecret }), which draws a 3-D Secure challenge with "Complete" and "Fail".
// Like Stripe.js it talks to https://api.stripe.com with the publishable key in the form body; the
// journey routes those calls to the Stripe API stand-in of @sunbae/testing/provider-apis.
;(() => {
  const API = 'https://api.stripe.com'
  const form = (fields) => new URLSearchParams(fields)
  const call = async (path, fields) => {
    const res = await fetch(`${API}${path}`, { method: 'POST', body: form(fields) })
    return { ok: res.ok, body: await res.json() }
  }

  function field(id, label, placeholder) {
    const wrap = document.createElement('div')
    wrap.style.cssText = 'display:flex;flex-direction:column;gap:4px;margin-bottom:8px'
    const l = document.createElement('label')
    l.htmlFor = id
    l.textContent = label
    const input = document.createElement('input')
    input.id = id
    input.placeholder = placeholder
    input.autocomplete = 'off'
    input.style.cssText = 'padding:8px;border:1px solid #8c8c8c;border-radius:6px;font-size:16px'
    wrap.append(l, input)
    return { wrap, input }
  }

  function paymentElement() {
    const handlers = {}
    const emit = (event, payload) => (handlers[event] || []).forEach((h) => h(payload))
    let inputs = null
    let root = null
    const el = {
      mount(target) {
        root = typeof target === 'string' ? document.querySelector(target) : target
        const box = document.createElement('div')
        box.dataset.standin = 'stripe-payment-element'
        const number = field('stripe-standin-number', 'Card number', '1234 1234 1234 1234')
        const expiry = field('stripe-standin-expiry', 'Expiration date', 'MM / YY')
        const cvc = field('stripe-standin-cvc', 'Security code', 'CVC')
        box.append(number.wrap, expiry.wrap, cvc.wrap)
        root.append(box)
        inputs = { number: number.input, expiry: expiry.input, cvc: cvc.input, box }
        for (const i of [number.input, expiry.input, cvc.input]) i.addEventListener('input', () => emit('change', { elementType: 'payment', complete: !!number.input.value && !!expiry.input.value && !!cvc.input.value, empty: false }))
        setTimeout(() => emit('ready', { elementType: 'payment' }), 0)
      },
      on(event, handler) {
        ;(handlers[event] ||= []).push(handler)
        return el
      },
      once(event, handler) {
        const once = (p) => {
          el.off(event, once)
          handler(p)
        }
        return el.on(event, once)
      },
      off(event, handler) {
        handlers[event] = (handlers[event] || []).filter((h) => h !== handler)
        return el
      },
      update() {},
      focus() {
        inputs?.number.focus()
      },
      blur() {},
      clear() {},
      collapse() {},
      unmount() {
        inputs?.box.remove()
      },
      destroy() {
        inputs?.box.remove()
        inputs = null
      },
      values: () => (inputs ? { number: inputs.number.value, expiry: inputs.expiry.value, cvc: inputs.cvc.value } : null),
    }
    return el
  }

  function challenge(clientSecret) {
    return new Promise((resolve) => {
      const overlay = document.createElement('div')
      overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:10000'
      const dialog = document.createElement('div')
      dialog.setAttribute('role', 'dialog')
      dialog.setAttribute('aria-modal', 'true')
      dialog.setAttribute('aria-labelledby', 'stripe-standin-3ds-title')
      dialog.dataset.standin = 'stripe-3ds'
      dialog.style.cssText = 'background:#fff;padding:24px;border-radius:8px;min-width:280px;color:#000'
      const title = document.createElement('h2')
      title.id = 'stripe-standin-3ds-title'
      title.textContent = '3D Secure 2 Test Page'
      const text = document.createElement('p')
      text.textContent = 'Complete or fail this test payment authentication.'
      const buttons = document.createElement('div')
      buttons.style.cssText = 'display:flex;gap:8px'
      const done = async (outcome) => {
        const id = clientSecret.split('_secret_')[0]
        const res = await call(`/v1/payment_intents/${id}/stand_in_3ds`, { key: window.__stripeStandInKey, client_secret: clientSecret, outcome })
        overlay.remove()
        if (!res.ok) return resolve({ error: { type: 'invalid_request_error', message: res.body.error?.message ?? 'authentication error' } })
        if (res.body.status === 'succeeded') return resolve({ paymentIntent: res.body })
        resolve({ error: { type: 'card_error', code: 'payment_intent_authentication_failure', message: 'We are unable to authenticate your payment method.', payment_intent: res.body } })
      }
      for (const [label, outcome] of [['Complete', 'complete'], ['Fail', 'fail']]) {
        const b = document.createElement('button')
        b.type = 'button'
        b.textContent = label
        b.style.cssText = 'padding:8px 16px;font-size:16px'
        b.addEventListener('click', () => void done(outcome))
        buttons.append(b)
      }
      dialog.append(title, text, buttons)
      overlay.append(dialog)
      document.body.append(overlay)
    })
  }

  function Stripe(publishableKey) {
    if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) throw new Error('Stripe(): a publishable key (pk_…) is required')
    window.__stripeStandInKey = publishableKey
    return {
      _registerWrapper() {},
      registerAppInfo() {},
      elements(options = {}) {
        const created = {}
        const elements = {
          create(type) {
            if (type !== 'payment') throw new Error(`stand-in: only the Payment Element (asked for ${type})`)
            created[type] = paymentElement()
            return created[type]
          },
          getElement: (type) => created[type] ?? null,
          update(next) {
            Object.assign(options, next)
          },
          fetchUpdates: async () => ({}),
          async submit() {
            const v = created.payment?.values()
            if (!v || !v.number) return { error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' } }
            if (!v.expiry) return { error: { type: 'validation_error', code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." } }
            if (!v.cvc) return { error: { type: 'validation_error', code: 'incomplete_cvc', message: "Your card's security code is incomplete." } }
            return {}
          },
          __options: options,
        }
        return elements
      },
      async createPaymentMethod({ elements }) {
        if (elements?.__options?.paymentMethodCreation !== 'manual') throw new Error('createPaymentMethod with elements needs paymentMethodCreation: manual')
        const v = elements.getElement('payment')?.values()
        const [month, year] = (v?.expiry ?? '').split('/').map((s) => s.trim())
        const res = await call('/v1/payment_methods', { key: publishableKey, type: 'card', 'card[number]': v?.number ?? '', 'card[exp_month]': month ?? '', 'card[exp_year]': year ?? '', 'card[cvc]': v?.cvc ?? '' })
        return res.ok ? { paymentMethod: res.body } : { error: res.body.error }
      },
      handleNextAction({ clientSecret }) {
        return challenge(clientSecret)
      },
      createToken: async () => ({ error: { type: 'invalid_request_error', message: 'stand-in: not used' } }),
      confirmCardPayment: async () => ({ error: { type: 'invalid_request_error', message: 'stand-in: not used' } }),
    }
  }
  Stripe.version = 'endive'
  window.Stripe = Stripe
})()
