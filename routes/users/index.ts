import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { listUsers } from '../../db/queries/users.js'
import { responses } from '../../src/schemas/common.js'
import { toUserDto, UserWithPresenceSchema } from '../../src/schemas/user.js'

const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags: ['users'],
      summary: 'The family, with who is online',
      response: responses({ 200: Type.Object({ users: Type.Array(UserWithPresenceSchema) }) }, 401)
    }
  }, async () => {
    const [rows, online] = await Promise.all([listUsers(app.db), app.realtime.onlineUsers()])
    return {
      users: rows.filter((u) => u.disabledAt === null).map((u) => ({ ...toUserDto(u), online: online.has(u.id) }))
    }
  })
}

export default userRoutes
