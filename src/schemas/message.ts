import { Type, type Static } from 'typebox'
import { IdSchema, IsoDateSchema, SeqSchema } from './common.js'

export const ImageSchema = Type.Object({
  url: Type.String(),
  thumbUrl: Type.String(),
  width: Type.Integer(),
  height: Type.Integer()
})

export const MessageSchema = Type.Object({
  id: IdSchema,
  roomId: IdSchema,
  seq: Type.Integer(),
  eventSeq: Type.Integer(),
  senderId: IdSchema,
  clientId: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  image: Type.Union([ImageSchema, Type.Null()]),
  createdAt: IsoDateSchema,
  editedAt: Type.Union([IsoDateSchema, Type.Null()]),
  deletedAt: Type.Union([IsoDateSchema, Type.Null()]),
  /** Emoji → userIds in the order they reacted; `{}` when none. */
  reactions: Type.Record(Type.String(), Type.Array(IdSchema))
}, { $id: 'Message' })
export type Message = Static<typeof MessageSchema>

// Raw bodies may exceed 4,000 characters before control characters and outer whitespace go;
// the exact rule is enforced after sanitising (src/chat/body.ts). This only bounds the work.
export const RawBodySchema = Type.String({ maxLength: 16_000 })
export const ClientIdSchema = Type.String({ minLength: 1, maxLength: 64 })

export const SendMessageBodySchema = Type.Object({
  roomId: Type.Optional(IdSchema),
  body: RawBodySchema,
  clientId: Type.Optional(ClientIdSchema)
}, { additionalProperties: false })

// One emoji is at most 32 UTF-8 bytes (src/chat/emoji.ts decides); this only bounds the work.
export const EmojiSchema = Type.String({ minLength: 1, maxLength: 32 })
export const ReactionBodySchema = Type.Object({ emoji: EmojiSchema }, { additionalProperties: false })

export const EditMessageBodySchema = Type.Object({ body: RawBodySchema }, { additionalProperties: false })
export const MessageParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })

export const ListMessagesQuerySchema = Type.Object({
  roomId: Type.Optional(IdSchema),
  before: Type.Optional(SeqSchema),
  since: Type.Optional(SeqSchema),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 })
}, { additionalProperties: false })

export const MessagePageSchema = Type.Object({
  messages: Type.Array(MessageSchema),
  hasMore: Type.Boolean(),
  lastSeq: Type.Integer()
})
