import { Type, type TSchema } from 'typebox'
import { ErrorResponse, Paged } from '@sunbae/contracts'

export const security = [{ gatewayIdentity: [] }]
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/** The schema of a GET of one of my lists (requests, matches): a page of `item`s, filtered by `querystring`. */
export const myListSchema = <Q extends TSchema, I extends TSchema>(tag: string, summary: string, querystring: Q, item: I) => ({
  tags: [tag],
  summary,
  security,
  querystring,
  response: { 200: Paged(item), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
})
