import { Type, type Static } from 'typebox'
import { Role } from '../common.ts'

export const UserRegisteredV1 = Type.Object({
  uid: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
})
export type UserRegisteredV1 = Static<typeof UserRegisteredV1>

export const UserRoleChangedV1 = Type.Object({
  uid: Type.String(),
  from: Role,
  to: Role,
})
export type UserRoleChangedV1 = Static<typeof UserRoleChangedV1>

export const CatalogEvents = {
  userRegistered: { type: 'catalog.user.registered', version: 1, schema: UserRegisteredV1 },
  userRoleChanged: { type: 'catalog.user.role_changed', version: 1, schema: UserRoleChangedV1 },
} as const
