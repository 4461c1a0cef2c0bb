import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Database } from '@sunbae/db'
import type { DB } from '../../db/types.ts'
import { UsersService } from '../../users/users.service.ts'
import { AccountDeletionService } from '../../users/account-deletion.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    users: UsersService
    accountDeletion: AccountDeletionService
  }
}

export default fp(
  async function users(app: FastifyInstance) {
    app.decorate('users', new UsersService(app.db as Database<DB>, app.events, app.firebaseAuth))
    app.decorate('accountDeletion', new AccountDeletionService(app.db as Database<DB>, app.events, app.firebaseAuth, app.log.child({ component: 'account-deletion' })))
  },
  { name: 'users', dependencies: ['sunbae-platform', 'firebase'] },
)
