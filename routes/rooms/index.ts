import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { NoContentSchema, responses } from '../../src/schemas/common.js'
import { DirectRoomBodySchema, ReadBodySchema, RoomNotificationsBodySchema, RoomParamsSchema, RoomSchema } from '../../src/schemas/room.js'
import { authOf } from '../auth-of.js'

const roomRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags: ['rooms'],
      summary: 'My rooms, with unread counts and members',
      response: responses({ 200: Type.Object({ rooms: Type.Array(RoomSchema) }) }, 401)
    }
  }, async (request) => ({ rooms: await app.chat.rooms(authOf(request).userId) }))

  app.post('/direct', {
    schema: {
      tags: ['rooms'],
      summary: 'The direct room with another family member, created on first use',
      body: DirectRoomBodySchema,
      response: responses({ 200: Type.Object({ room: RoomSchema }) }, 400, 401, 404)
    }
  }, async (request) => ({ room: await app.chat.directRoom(authOf(request).userId, request.body.userId) }))

  app.patch('/:id/notifications', {
    schema: {
      tags: ['rooms'],
      summary: 'My notification settings for the room: notify "all" or "none", muted until a time or not',
      params: RoomParamsSchema,
      body: RoomNotificationsBodySchema,
      response: responses({ 200: Type.Object({ room: RoomSchema }) }, 400, 401, 404)
    }
  }, async (request) => ({ room: await app.chat.setNotifications(authOf(request).userId, request.params.id, request.body) }))

  app.post('/:id/read', {
    schema: {
      tags: ['rooms'],
      summary: 'Move my read marker forward',
      params: RoomParamsSchema,
      body: ReadBodySchema,
      response: responses({ 204: NoContentSchema }, 400, 401, 404)
    }
  }, async (request, reply) => {
    await app.chat.markRead(authOf(request).userId, request.params.id, request.body.seq)
    return reply.code(204).send(null)
  })
}

export default roomRoutes
