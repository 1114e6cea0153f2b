import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { responses } from '../../src/schemas/common.js'
import {
  EditMessageBodySchema,
  ListMessagesQuerySchema,
  MessagePageSchema,
  MessageParamsSchema,
  MessageSchema,
  type Message,
  ReactionBodySchema,
  SendMessageBodySchema
} from '../../src/schemas/message.js'
import type { LogResult } from '../../src/chat/room-log.js'
import { authOf } from '../auth-of.js'

const MessageResponseSchema = Type.Object({ message: MessageSchema })
const JSON_TYPE = 'application/json; charset=utf-8'

const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** A change to one message is answered with the message as it now is. */
  const answer = ({ message }: LogResult): { message: Message } => ({ message: app.chat.toDto(message) })

  app.get('', {
    schema: {
      tags: ['messages'],
      summary: 'A page of history (latest, before=n) or the change feed (since=n)',
      querystring: ListMessagesQuerySchema,
      response: responses({ 200: MessagePageSchema }, 400, 401, 404)
    }
  }, async (request, reply) => {
    const page = await app.chat.history(authOf(request).userId, request.query)
    // The page every client opens a room with is the same for every member until the room
    // changes: serialised once. Signed media URLs stay valid an hour or more; a body is reused
    // for at most a minute.
    const key = page.memo === undefined ? undefined : `${request.query.limit}:${Math.floor(Date.now() / 60_000)}`
    const kept = key === undefined ? undefined : page.memo!.get(key)
    if (kept !== undefined) return reply.type(JSON_TYPE).send(kept)
    const body = app.chat.pageDto(page)
    if (key === undefined) return body
    const json = String(reply.serialize(body))
    page.memo!.set(key, json)
    return reply.type(JSON_TYPE).send(json)
  })

  app.post('', {
    schema: {
      tags: ['messages'],
      summary: 'Send a text message; a repeated clientId answers 200 with the original',
      body: SendMessageBodySchema,
      response: responses({ 201: MessageResponseSchema, 200: MessageResponseSchema }, 400, 401, 404)
    }
  }, async (request, reply) => {
    const { message, changed } = await app.chat.send(authOf(request).userId, request.body)
    return reply.code(changed ? 201 : 200).send({ message: app.chat.toDto(message) })
  })

  app.patch('/:id', {
    schema: {
      tags: ['messages'],
      summary: 'Edit my message',
      params: MessageParamsSchema,
      body: EditMessageBodySchema,
      response: responses({ 200: MessageResponseSchema }, 400, 401, 403, 404, 409)
    }
  }, async (request) => answer(await app.chat.edit(authOf(request).userId, request.params.id, request.body.body)))

  app.delete('/:id', {
    schema: {
      tags: ['messages'],
      summary: 'Delete my message (it stays as a tombstone)',
      params: MessageParamsSchema,
      response: responses({ 200: MessageResponseSchema }, 401, 403, 404)
    }
  }, async (request) => answer(await app.chat.remove(authOf(request).userId, request.params.id)))

  app.put('/:id/reaction', {
    schema: {
      tags: ['messages'],
      summary: 'React with one emoji (it replaces my reaction, if I had one)',
      params: MessageParamsSchema,
      body: ReactionBodySchema,
      response: responses({ 200: MessageResponseSchema }, 400, 401, 404, 409)
    }
  }, async (request) => answer(await app.chat.react(authOf(request).userId, request.params.id, request.body.emoji)))

  app.delete('/:id/reaction', {
    schema: {
      tags: ['messages'],
      summary: 'Take my reaction back',
      params: MessageParamsSchema,
      response: responses({ 200: MessageResponseSchema }, 401, 404)
    }
  }, async (request) => answer(await app.chat.react(authOf(request).userId, request.params.id, null)))
}

export default messageRoutes
