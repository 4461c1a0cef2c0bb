import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import type { ChatMirror } from '../../mirror/mirror.ts'
import { MongoChatMirror } from '../../mirror/mirror.mongo.ts'
import { PostgresChatMirror } from '../../mirror/mirror.postgres.repository.ts'

declare module 'fastify' {
  interface FastifyInstance {
    chatMirror: ChatMirror
  }
}

/** The chat mirror: MongoDB when MONGO_URL is set, else the service's own Postgres schema. */
export default fp(
  async function mirror(app: FastifyInstance, opts: { mongoUrl?: string | undefined; mongoDb: string }) {
    const mirror: ChatMirror = opts.mongoUrl
      ? await MongoChatMirror.connect(opts.mongoUrl, opts.mongoDb)
      : new PostgresChatMirror(app.db as Database<DB>)
    app.log.info({ mirror: mirror.kind }, 'chat mirror')
    app.decorate('chatMirror', mirror)
    app.addHook('onClose', () => mirror.close())
  },
  { name: 'chat-mirror', dependencies: ['sunbae-platform'] },
)
