import { Type, type Static } from 'typebox'
import type { UserRow } from '../../db/schema/index.js'
import { IdSchema } from './common.js'

export const USERNAME_PATTERN = '^[a-z0-9._-]{3,32}$'

export const UserSchema = Type.Object({
  id: IdSchema,
  username: Type.String(),
  displayName: Type.String(),
  avatarUrl: Type.Union([Type.String(), Type.Null()])
}, { $id: 'User' })
export type User = Static<typeof UserSchema>

export const UserWithPresenceSchema = Type.Object({
  ...UserSchema.properties,
  online: Type.Boolean()
})

export function toUserDto (row: Pick<UserRow, 'id' | 'username' | 'displayName' | 'avatarUrl'>): User {
  return { id: row.id, username: row.username, displayName: row.displayName, avatarUrl: row.avatarUrl }
}
