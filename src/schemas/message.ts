import { Type, type Static } from 'typebox'
import { IdSchema, IsoDateSchema, SeqSchema, STORABLE_TEXT_PATTERN } from './common.js'

export const ImageSchema = Type.Object({
  url: Type.String(),
  thumbUrl: Type.String(),
  width: Type.Integer(),
  height: Type.Integer()
})

/** What a reply shows of its original, as the original is now. */
export const ReplyQuoteSchema = Type.Object({
  id: IdSchema,
  seq: Type.Integer(),
  senderId: IdSchema,
  /** The original's first 140 code points; "" once it is deleted. */
  body: Type.String(),
  hasImage: Type.Boolean(),
  deletedAt: Type.Union([IsoDateSchema, Type.Null()])
})
export type ReplyQuote = Static<typeof ReplyQuoteSchema>

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
  reactions: Type.Record(Type.String(), Type.Array(IdSchema)),
  replyTo: Type.Union([ReplyQuoteSchema, Type.Null()])
}, { $id: 'Message' })
export type Message = Static<typeof MessageSchema>

// Raw bodies may exceed 4,000 characters before control characters and outer whitespace go;
// the exact rule is enforced after sanitising (src/chat/body.ts). This only bounds the work.
export const RawBodySchema = Type.String({ maxLength: 16_000 })
export const ClientIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: STORABLE_TEXT_PATTERN })

export const SendMessageBodySchema = Type.Object({
  roomId: Type.Optional(IdSchema),
  body: RawBodySchema,
  clientId: Type.Optional(ClientIdSchema),
  /** A message of the same room that is not deleted. */
  replyToId: Type.Optional(IdSchema)
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
