import { BUS_CONSUMERS, MeetingEvents } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/** Every event the catalog consumes (its own search index follows catalog.mentor.* in search/). */
export default subscriptions((app, consumer) => {
  // a completed session is what allows a review
  consumer(BUS_CONSUMERS['mentor-catalog'].meetingCompleted, (on) => {
    on(MeetingEvents.bookingCompleted, (data, { trx }) => app.reviews.onBookingCompleted(data, trx))
  })
})
