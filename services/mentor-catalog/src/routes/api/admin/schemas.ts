import { Type, type TSchema } from 'typebox'
import { ErrorResponse, ReasonBody } from '@sunbae/contracts'
import { adminSchema } from '@sunbae/service-kit'

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/**
 * The schema of an admin's action on one thing, taken with a reason the audit trail keeps (suspend,
 * hide, disable…): `params` name the thing, the body is the reason, and the answers are `response`
 * (the thing as it now stands, and any refusal of the action's own) or 404.
 */
export function reasonActionSchema<const P extends TSchema, const R extends Record<number, TSchema>>(summary: string, params: P, response: R) {
  return adminSchema({ summary, params, body: ReasonBody, response: { 404: ErrorResponse, ...response } })
}
