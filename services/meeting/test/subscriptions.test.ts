import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { PaymentEvents, STREAMS, type DomainEvent } from '@sunbae/contracts'
import { allDay, buildMeeting, hoursAhead, match, mentor, pay, publish, setAvailability, until, user, waitForState } from './helpers.ts'

let app: FastifyInstance
t.before(async () => {
  app = await buildMeeting()
})
t.teardown(async () => {
  await app.close()
})

interface DeadLetter {
  event: DomainEvent<{ bookingId?: string }>
  error: { message: string }
  deliveries: number
}

t.test('a payment event its contract refuses is dead-lettered at its first delivery and leaves the hold alone', async (t) => {
  const m = await mentor(app)
  const mentee = user()
  await match(app, m, mentee)
  await setAvailability(app, m, allDay({ pricePerHour: 60_000 }))
  const held = await app.inject({ method: 'POST', url: '/api/meetings/bookings', headers: mentee.h(), payload: { mentorId: m.id, start: hoursAhead(5), duration: 60 } })
  t.equal(held.json().state, 'held')
  const bookingId: string = held.json().id

  const e = PaymentEvents.succeeded
  // an amount as text: payment.succeeded's schema refuses it, so no retry could ever apply it
  await publish(app, e.type, e.version, 'payment', { paymentId: randomUUID(), bookingId, amount: '60000', currency: 'KRW', succeededAt: new Date().toISOString() })

  let dead: DeadLetter | undefined
  await until('the dead letter', async () => {
    const msg = await app.bus.jsm.streams.getMessage(STREAMS.deadLetter.name, { last_by_subj: `dlq.meeting_payments.${e.type}` }).catch(() => null)
    const body = msg?.json<DeadLetter>()
    if (body?.event.data.bookingId === bookingId) dead = body
    return dead !== undefined
  })
  t.equal(dead!.deliveries, 1, 'dead-lettered at once, not retried')
  t.match(dead!.error.message, /amount/, 'the reason names the refused field')
  const after = await app.inject({ method: 'GET', url: `/api/meetings/bookings/${bookingId}`, headers: mentee.h() })
  t.equal(after.json().state, 'held', 'the hold is as it was')

  await pay(app, 'succeeded', bookingId, 60_000)
  await waitForState(app, bookingId, 'confirmed')
  const confirmed = await app.inject({ method: 'GET', url: `/api/meetings/bookings/${bookingId}`, headers: mentee.h() })
  t.equal(confirmed.json().state, 'confirmed', 'a payment.succeeded its contract accepts still confirms it')
})
