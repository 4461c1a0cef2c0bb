import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import { ChatService } from '../../chat/chat.service.ts'
import { ChatErasure } from '../../chat/account-erasure.service.ts'
import { RoomsFirestore } from '../../rooms/rooms.firestore.ts'
import { FirestoreSync } from '../../sync/firestore-sync.ts'

declare module 'fastify' {
  interface FastifyInstance {
    chat: ChatService
    rooms: RoomsFirestore
    chatSync: FirestoreSync | null
    chatErasure: ChatErasure
  }
}

export interface ChatPluginOptions {
  syncEnabled: boolean
  syncName: string
  leaseCheckMs: number
}

/** Rooms, the chat API's service and the Firestore → mirror sync (subscriptions: src/subscriptions.ts). */
export default fp(
  async function chat(app: FastifyInstance, opts: ChatPluginOptions) {
    const db = app.db as Database<DB>
    const rooms = new RoomsFirestore(app.firestore)
    app.decorate('rooms', rooms)
    app.decorate('chat', new ChatService(app.chatMirror, rooms, db, app.events))
    app.decorate('chatErasure', new ChatErasure(app.chatMirror, rooms))

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
