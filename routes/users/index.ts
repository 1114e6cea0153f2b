import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { responses } from '../../src/schemas/common.js'
import { UserWithPresenceSchema } from '../../src/schemas/user.js'

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
}

export default userRoutes
