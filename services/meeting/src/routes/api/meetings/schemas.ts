import { Type } from 'typebox'
import { ErrorResponse } from '@sunbae/contracts'

/** What the routes of /api/meetings share: the gateway's identity, a booking's id in the path, and the refusals. */
export const security = [{ gatewayIdentity: [] }]
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
export const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
