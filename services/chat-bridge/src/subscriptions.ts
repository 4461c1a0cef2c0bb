import { BUS_CONSUMERS, CatalogEvents, MatchingEvents } from '@sunbae/contracts'
import { subscriptions } from '@sunbae/service-kit'

/** Every event chat-bridge consumes: a match opens its room, its end closes it; a deleted account's messages are blanked. */
export default subscriptions((app, consumer) => {
  // one durable for both subjects, so a match's accept and end are handled in stream order
  consumer(BUS_CONSUMERS['chat-bridge'].matching, (on) => {
    on(MatchingEvents.requestAccepted, async (data) => {
      const created = await app.rooms.openRoom(data)
      app.log.info({ roomId: data.matchId, created }, created ? 'chat room opened' : 'chat room already open')
    })
    on(MatchingEvents.matchEnded, async (data) => {
      const outcome = await app.rooms.closeRoom(data.matchId)
      // 'missing': no room was ever opened for the match; nothing to close
      app.log.info({ roomId: data.matchId, outcome }, 'chat room close')
    })
  })

  consumer(BUS_CONSUMERS['chat-bridge'].catalogUserDeleted, (on) => {
    on(CatalogEvents.userDeleted, async (data) => {
      const erased = await app.chatErasure.onUserDeleted(data.uid)
      app.log.info({ uid: data.uid, ...erased }, 'deleted account: its messages blanked')
    })
  })
})
