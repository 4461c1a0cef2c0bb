import type { Earnings, Identity, Payment, PaymentProviderName, PaymentProviders, PaymentState } from '@sunbae/contracts'
import { forbidden, notFound } from '@sunbae/service-kit'
import type { PaymentsRepository } from './payments.repository.ts'
import { iso, type PaymentsService } from './payments.service.ts'

/** What the routes read: a payment, mine, the admin list, a mentor's earnings. */
export class PaymentQueries {
  readonly #payments: PaymentsService
  readonly #repo: PaymentsRepository
  readonly #publicKeys: Partial<Record<string, string | null>>

  /** `publicKeys`: what each provider's browser SDK is drawn with (Stripe's publishable key, Toss' client key) */
  constructor(payments: PaymentsService, repo: PaymentsRepository, publicKeys: Partial<Record<string, string | null>> = {}) {
    this.#payments = payments
    this.#repo = repo
    this.#publicKeys = publicKeys
  }

  /** The providers a payer may choose (a payment starts with the first taking its currency), with the currencies each takes and their browser SDK's public key. */
  providers(): PaymentProviders {
    return {
      items: this.#payments.enabled.map((name) => {
        const currencies = this.#payments.currenciesOf(name)
        return { name: name as PaymentProviderName, publicKey: this.#publicKeys[name] ?? null, currencies: currencies && [...currencies] }
      }),
    }
  }

  /** Its payer, the mentor it pays, or an admin. */
  async get(identity: Identity, id: string): Promise<Payment> {
    const row = await this.#repo.findById(id)
    if (!row) throw notFound('No such payment', 'PAYMENT_NOT_FOUND')
    if (identity.role !== 'admin' && row.mentee_uid !== identity.uid && row.mentor_uid !== identity.uid) throw forbidden('This payment is not yours', 'NOT_YOUR_PAYMENT')
    return (await this.#payments.hydrate([row]))[0]!
  }

  async mine(identity: Identity, limit: number): Promise<{ items: Payment[] }> {
    return { items: await this.#payments.hydrate(await this.#repo.list({ menteeUid: identity.uid }, limit)) }
  }

  async adminList(q: { state?: string | undefined; bookingId?: string | undefined; limit?: number | undefined }): Promise<{ items: Payment[] }> {
    const filter = { ...(q.state ? { state: q.state } : {}), ...(q.bookingId ? { bookingId: q.bookingId } : {}) }
    return { items: await this.#payments.hydrate(await this.#repo.list(filter, q.limit ?? 50)) }
  }

  async earnings(identity: Identity, limit = 200): Promise<Earnings> {
    const rows = await this.#repo.earnings(identity.uid, limit)
    const items = rows.map((r) => ({
      paymentId: r.id,
      bookingId: r.booking_id,
      currency: r.currency,
      gross: r.amount,
      fee: Number(r.fee ?? 0),
      refunded: r.refunded_amount,
      net: Number(r.net ?? 0),
      state: r.state as PaymentState,
      succeededAt: r.succeeded_at ? iso(r.succeeded_at) : null,
    }))
    const totals = new Map<string, { currency: string; gross: number; fee: number; refunded: number; net: number }>()
    for (const i of items) {
      const t = totals.get(i.currency) ?? { currency: i.currency, gross: 0, fee: 0, refunded: 0, net: 0 }
      t.gross += i.gross
      t.fee += i.fee
      t.refunded += i.refunded
      t.net += i.net
      totals.set(i.currency, t)
    }
    return { totals: [...totals.values()], items }
  }
}
