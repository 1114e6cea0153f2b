import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { responses } from '../../src/schemas/common.js'
import { UpdateProfileBodySchema, UserSchema, UserWithPresenceSchema } from '../../src/schemas/user.js'
import { authOf } from '../auth-of.js'

const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
      response: responses({ 200: Type.Object({ user: UserSchema }) }, 400, 401)
    }
  }, async (request) => ({ user: await app.auth.accounts.rename(authOf(request).userId, request.body.displayName) }))
}

export default userRoutes
