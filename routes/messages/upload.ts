import type { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { payloadTooLarge, validation } from '../../src/errors.js'
import { IdSchema, responses } from '../../src/schemas/common.js'
import { ClientIdSchema, MessageSchema, RawBodySchema } from '../../src/schemas/message.js'
import { authOf } from '../auth-of.js'

const UploadFieldsSchema = Type.Object({
  roomId: Type.Optional(IdSchema),
  body: Type.Optional(RawBodySchema),
  clientId: Type.Optional(ClientIdSchema),
  replyToId: Type.Optional(IdSchema)
}, { additionalProperties: false })
const uploadFields = Compile(UploadFieldsSchema)

/**
 * The file's bytes, refused with 413 the moment busboy reports the limit passed. Not
 * `part.toBuffer()`: that waits for the part to end, which a body that keeps coming never does.
 */
function readWithin (file: Readable & { truncated?: boolean }, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const tooLarge = (): void => {
      chunks.length = 0
      reject(payloadTooLarge(`The file is larger than ${limit} bytes`))
    }
    file.on('data', (chunk: Buffer) => { chunks.push(chunk) })
    file.once('limit', tooLarge)
    // A body that arrived whole may have passed the limit before these listeners were attached.
    file.once('end', () => { if (file.truncated === true) tooLarge(); else resolve(Buffer.concat(chunks)) })
    file.once('error', reject)
  })
}

const MessageResponseSchema = Type.Object({ message: MessageSchema })

const uploadRoutes: FastifyPluginAsyncTypebox<{ maxUploadBytes: number }> = async (app, { maxUploadBytes }) => {
  await app.register(multipart, {
    // Stops a multipart bomb early: one file, a handful of small fields, few parts.
    limits: { fileSize: maxUploadBytes, files: 1, fields: 8, fieldSize: 20_000, parts: 12, headerPairs: 64 }
  })

  app.post('/upload', {
    schema: {
      tags: ['messages'],
      summary: 'Send a photo (multipart: file, and optional roomId, body as caption, clientId, replyToId)',
      consumes: ['multipart/form-data'],
      response: responses({ 201: MessageResponseSchema, 200: MessageResponseSchema }, 400, 401, 404, 413, 415)
    }
  }, async (request, reply) => {
    const { userId } = authOf(request)
    const fields: Record<string, string> = {}
    let bytes: Buffer | undefined
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw validation('The image goes in the field "file"')
        bytes = await readWithin(part.file, maxUploadBytes)
      } else {
        if (typeof part.value !== 'string') throw validation(`Field ${part.fieldname} must be text`)
        fields[part.fieldname] = part.value
      }
    }
    if (!uploadFields.Check(fields)) throw validation('Unexpected or invalid fields: use roomId, body, clientId and replyToId')
    if (bytes === undefined || bytes.length === 0) throw validation('A file is required')
    const { message, changed } = await app.chat.sendPhoto(userId, { roomId: fields.roomId, body: fields.body ?? '', clientId: fields.clientId, replyToId: fields.replyToId, file: bytes })
    return reply.code(changed ? 201 : 200).send({ message: app.chat.toDto(message) })
  })
}

export default uploadRoutes
