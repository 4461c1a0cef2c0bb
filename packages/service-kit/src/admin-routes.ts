import type { FastifyInstance } from 'fastify'
import type { TSchema } from 'typebox'
import { ErrorResponse, type EventActor, type Identity } from '@sunbae/contracts'
import { requireRole } from './plugins/identity.ts'

/** Who did it, as events and the audit trail record it: the signed-in caller. */
export const actorOf = (identity: Identity): EventActor => ({ type: 'user', id: identity.uid, role: identity.role })

/** What every admin route may answer besides its own: a bad request, no identity, not an admin. */
const ADMIN_REFUSALS = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }

/**
 * Makes every route of this route plugin (its encapsulated context: a file under routes/api/admin/)
 * an admin route: the caller must hold the admin role, checked on request — before the body is read
 * or validated, so a non-admin learns nothing about a route's input, and no route can forget it.
 */
export function adminOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    requireRole(request, 'admin')
  })
}

/**
 * An admin route's schema: the route's own parts (summary, params, query, body, its answers) with
 * what all admin routes share — the `admin` tag (unless it names its own), the gateway identity as
 * security and the 400/401/403 refusals.
 */
export function adminSchema<const S extends { response: Record<number, TSchema>; tags?: string[] }>(
  schema: S,
): Omit<S, 'response'> & { tags: string[]; security: { gatewayIdentity: never[] }[]; response: typeof ADMIN_REFUSALS & S['response'] } {
  return { tags: ['admin'], security: [{ gatewayIdentity: [] }], ...schema, response: { ...ADMIN_REFUSALS, ...schema.response } }
}
