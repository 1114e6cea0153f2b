import { Type, type Static } from 'typebox'
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

// Raw names may carry control characters and outer whitespace; the 1–64 rule applies after they
// go (src/auth/accounts.ts). This only bounds the work.
export const UpdateProfileBodySchema = Type.Object({ displayName: Type.String({ maxLength: 512 }) }, { additionalProperties: false })
