import type { TSchema } from 'typebox'
import { ErrorResponse } from '@sunbae/contracts'

const security = [{ gatewayIdentity: [] }]
const REFUSALS = { 400: ErrorResponse, 401: ErrorResponse }

/**
 * The schema of a route about the caller's own notifications (the feed, the switches): the route's
 * own parts with what they share — the `notifications` tag, the gateway identity as security and the
 * 400/401 refusals.
 */
export function ownSchema<const S extends { response: Record<number, TSchema> }>(
  schema: S,
): Omit<S, 'response'> & { tags: string[]; security: { gatewayIdentity: never[] }[]; response: typeof REFUSALS & S['response'] } {
  return { tags: ['notifications'], security, ...schema, response: { ...REFUSALS, ...schema.response } }
}
