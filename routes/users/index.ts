import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { responses } from '../../src/schemas/common.js'
import { UpdateProfileBodySchema, UserSchema, UserWithPresenceSchema } from '../../src/schemas/user.js'
import { authOf } from '../auth-of.js'
import { multipartLimits, readForm } from '../multipart-form.js'
import { validation } from '../../src/errors.js'

const UserResponseSchema = Type.Object({ user: UserSchema })

const userRoutes: FastifyPluginAsyncTypebox<{ maxUploadBytes: number }> = async (app, { maxUploadBytes }) => {
  await app.register(multipart, { limits: multipartLimits(maxUploadBytes) })

  app.get('', {
    schema: {
      tags: ['users'],
      summary: 'The family, with who is online',
      response: responses({ 200: Type.Object({ users: Type.Array(UserWithPresenceSchema) }) }, 401)
    }
  }, async () => {
    const [family, online] = await Promise.all([app.auth.accounts.family(), app.realtime.onlineUsers()])
    return { users: family.map((u) => ({ ...u, online: online.has(u.id) })) }
  })

  app.patch('/me', {
    schema: {
      tags: ['users'],
      summary: 'Change my display name (everyone sharing a room with me gets user.updated)',
      body: UpdateProfileBodySchema,
      response: responses({ 200: UserResponseSchema }, 400, 401)
    }
  }, async (request) => ({ user: await app.auth.accounts.rename(authOf(request).userId, request.body.displayName) }))

  app.put('/me/avatar', {
    schema: {
      tags: ['users'],
      summary: 'Set my profile photo (multipart: file), cropped square to 256 px',
      consumes: ['multipart/form-data'],
      response: responses({ 200: UserResponseSchema }, 400, 401, 413, 415)
    }
  }, async (request) => {
    const { fields, bytes } = await readForm(request, maxUploadBytes)
    if (Object.keys(fields).length > 0) throw validation('Only the field "file" is expected')
    return { user: await app.auth.accounts.setAvatar(authOf(request).userId, bytes) }
  })

  app.delete('/me/avatar', {
    schema: {
      tags: ['users'],
      summary: 'Remove my profile photo',
      response: responses({ 200: UserResponseSchema }, 401)
    }
  }, async (request) => ({ user: await app.auth.accounts.removeAvatar(authOf(request).userId) }))
}

export default userRoutes
