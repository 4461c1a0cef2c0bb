import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { Value } from 'typebox/value'
import { MatchingEvents, STREAMS, type DomainEvent } from '@sunbae/contracts'
import type { DB } from '../../db/types.ts'
import { ChatService } from '../../chat/chat.service.ts'
import { RoomsFirestore } from '../../rooms/rooms.firestore.ts'
import { FirestoreSync } from '../../sync/firestore-sync.ts'

declare module 'fastify' {
  interface FastifyInstance {
    chat: ChatService
    rooms: RoomsFirestore
    chatSync: FirestoreSync | null
  }
}

export interface ChatPluginOptions {
  syncEnabled: boolean
  syncName: string
  leaseCheckMs: number
}

/** Rooms, the chat API's service, the Firestore → mirror sync, and every event subscription. */
export default fp(
  async function chat(app: FastifyInstance, opts: ChatPluginOptions) {
    const db = app.db as Kysely<DB>
    const rooms = new RoomsFirestore(app.firestore)
    app.decorate('rooms', rooms)
    app.decorate('chat', new ChatService(app.chatMirror, rooms, db, app.events))

    // One durable for both subjects, so a match's accept and end are handled in stream order.
    app.consumers.add({
      stream: STREAMS.matching,
      durable: 'chat_bridge_matching',
      filterSubject: 'matching.>',
      handler: async (event: DomainEvent) => {
        const { requestAccepted, matchEnded } = MatchingEvents
        if (event.type === requestAccepted.type) {
          // a malformed event throws: retried, then dead-lettered where admins see it
          const data = Value.Parse(requestAccepted.schema, event.data)
          const created = await rooms.openRoom(data)
          app.log.info({ roomId: data.matchId, created }, created ? 'chat room opened' : 'chat room already open')
        } else if (event.type === matchEnded.type) {
          const data = Value.Parse(matchEnded.schema, event.data)
          const outcome = await rooms.closeRoom(data.matchId)
          // 'missing': no room was ever opened for the match; nothing to close
          app.log.info({ roomId: data.matchId, outcome }, 'chat room close')
        }
      },
    })

    const sync = opts.syncEnabled
      ? new FirestoreSync({
          firestore: app.firestore,
          mirror: app.chatMirror,
          db,
          events: app.events,
          log: app.log.child({ component: 'chat-sync' }),
          name: opts.syncName,
          leaseCheckMs: opts.leaseCheckMs,
        })
      : null
    app.decorate('chatSync', sync)
    if (sync) {
      app.addHook('onReady', async () => sync.start())
      app.addHook('onClose', async () => sync.stop())
    }
  },
  { name: 'chat', dependencies: ['sunbae-platform', 'firebase', 'chat-mirror'] },
)
