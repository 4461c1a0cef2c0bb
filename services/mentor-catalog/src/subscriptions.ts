import { MeetingEvents, STREAMS } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/** Every event the catalog consumes (its own search index follows catalog.mentor.* in search/). */
export default subscriptions((app, consumer) => {
  // a completed session is what allows a review
  consumer({ stream: STREAMS.meeting, durable: 'catalog_meeting_completed', filterSubject: MeetingEvents.bookingCompleted.type }, (on) => {
    on(MeetingEvents.bookingCompleted, (data, { trx }) => app.reviews.onBookingCompleted(data, trx))
  })
})
