import { BUS_CONSUMERS, CatalogEvents, MeetingEvents } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/** Every event the catalog consumes (its own search index follows catalog.mentor.* in search/). */
export default subscriptions((app, consumer) => {
  // a completed session is what allows a review
  consumer(BUS_CONSUMERS['mentor-catalog'].meetingCompleted, (on) => {
    on(MeetingEvents.bookingCompleted, (data, { trx }) => app.reviews.onBookingCompleted(data, trx))
  })
  // its own event: the Firebase account of a deleted user is deleted, retried until Firebase has done it
  consumer(BUS_CONSUMERS['mentor-catalog'].userDeleted, (on) => {
    on(CatalogEvents.userDeleted, async (data) => {
      const outcome = await app.accountDeletion.deleteFirebaseAccount(data.uid)
      app.log.info({ uid: data.uid, outcome }, 'Firebase account of a deleted user')
    })
  })
})
