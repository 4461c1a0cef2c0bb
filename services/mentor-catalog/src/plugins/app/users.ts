import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import { UsersService } from '../../users/users.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    users: UsersService
  }
}

export default fp(
  async function users(app: FastifyInstance) {
    app.decorate('users', new UsersService(app.db as Database<DB>, app.events, app.firebaseAuth))
  },
  { name: 'users', dependencies: ['sunbae-platform', 'firebase'] },
)
