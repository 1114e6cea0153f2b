import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { validation } from '../../src/errors.js'
import { IdSchema, responses } from '../../src/schemas/common.js'
import { ClientIdSchema, MessageSchema, RawBodySchema } from '../../src/schemas/message.js'
import { authOf } from '../auth-of.js'
import { multipartLimits, readForm } from '../multipart-form.js'

const UploadFieldsSchema = Type.Object({
  roomId: Type.Optional(IdSchema),
  body: Type.Optional(RawBodySchema),
  clientId: Type.Optional(ClientIdSchema),
  replyToId: Type.Optional(IdSchema)
}, { additionalProperties: false })
const uploadFields = Compile(UploadFieldsSchema)

const MessageResponseSchema = Type.Object({ message: MessageSchema })

const uploadRoutes: FastifyPluginAsyncTypebox<{ maxUploadBytes: number }> = async (app, { maxUploadBytes }) => {
  await app.register(multipart, { limits: multipartLimits(maxUploadBytes) })

  app.post('/upload', {
    schema: {
      tags: ['messages'],
      summary: 'Send a photo (multipart: file, and optional roomId, body as caption, clientId, replyToId)',
      consumes: ['multipart/form-data'],
      response: responses({ 201: MessageResponseSchema, 200: MessageResponseSchema }, 400, 401, 404, 413, 415)
    }
  }, async (request, reply) => {
    const { userId } = authOf(request)
    const { fields, bytes } = await readForm(request, maxUploadBytes)
    if (!uploadFields.Check(fields)) throw validation('Unexpected or invalid fields: use roomId, body, clientId and replyToId')
    const { message, changed } = await app.chat.sendPhoto(userId, { roomId: fields.roomId, body: fields.body ?? '', clientId: fields.clientId, replyToId: fields.replyToId, file: bytes })
    return reply.code(changed ? 201 : 200).send({ message: app.chat.toDto(message) })
  })
}

export default uploadRoutes
