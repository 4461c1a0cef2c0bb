import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ConsumerOptions } from '@sunbae/bus'
import { eventRouter, type On } from './events.ts'

/** A durable consumer's settings: everything `startConsumer` takes except what the platform provides. */
export type SubscriptionOptions = Omit<ConsumerOptions, 'bus' | 'db' | 'logger' | 'handler'>

/** Declares one durable consumer (one stream, one filter subject) and the events it handles. */
export type Consumer = (opts: SubscriptionOptions, define: (on: On) => void) => void

/**
 * A service's event subscriptions (its `src/subscriptions.ts`), registered from app.ts after the
 * domain plugins:
 *
 *   export default subscriptions((app, consumer) => {
 *     consumer({ stream: STREAMS.meeting, durable: 'catalog_meeting_completed', filterSubject: MeetingEvents.bookingCompleted.type }, (on) => {
 *       on(MeetingEvents.bookingCompleted, (data, { trx }) => app.reviews.onBookingCompleted(data, trx))
 *     })
 *   })
 *
 * Each consumer starts when the app is ready and stops on close (the platform's consumers). Its
 * handlers get data already checked against the event's schema; see `eventRouter` for what happens
 * to events they do not handle.
 */
export function subscriptions(define: (app: FastifyInstance, consumer: Consumer) => void) {
  return fp(
    async function subscriptions(app: FastifyInstance) {
      define(app, (opts, routes) => app.consumers.add({ ...opts, handler: eventRouter(routes) }))
    },
    { name: 'sunbae-subscriptions', dependencies: ['sunbae-platform'] },
  )
}
