import { Type } from 'typebox'
import { IdSchema, IsoDateSchema } from './common.js'

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

export const LoginBodySchema = Type.Object({
  // Loose on purpose: a malformed username must get the same answer as an unknown one.
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 })
}, { additionalProperties: false })

export const ChangePasswordBodySchema = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  newPassword: Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
}, { additionalProperties: false })

export const TokenResponseSchema = Type.Object({ token: Type.String() })

export const SessionSchema = Type.Object({
  id: IdSchema,
  createdAt: IsoDateSchema,
  lastSeenAt: IsoDateSchema,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean()
})

export const SessionParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })
