import { Type, type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { ClientIdSchema, EmojiSchema, RawBodySchema } from '../schemas/message.js'
import { IdSchema, SeqSchema } from '../schemas/common.js'

/** Close codes of the contract ("WebSocket protocol"). */
export const CLOSE = {
  goingAway: 1001,
  tooBig: 1009,
  unauthorized: 4001,
  rateLimited: 4008,
  // Not the contract's: one socket too many for a user (a client bug; 4xxx keeps it from retrying in a loop).
  tooManySockets: 4029,
  internalError: 1011
} as const

export const MAX_FRAME_BYTES = 64 * 1024

const Empty = Type.Object({}, { additionalProperties: false })

/** One data schema per client frame type; the keys are the contract's type strings. */
export const ClientDataSchemas = {
  'message.send': Type.Object({ roomId: IdSchema, body: RawBodySchema, clientId: ClientIdSchema, replyToId: Type.Optional(IdSchema) }, { additionalProperties: false }),
  'message.edit': Type.Object({ messageId: IdSchema, body: RawBodySchema }, { additionalProperties: false }),
  'message.delete': Type.Object({ messageId: IdSchema }, { additionalProperties: false }),
  'message.react': Type.Object({ messageId: IdSchema, emoji: Type.Union([EmojiSchema, Type.Null()]) }, { additionalProperties: false }),
  sync: Type.Object({
    roomId: IdSchema,
    since: SeqSchema,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 }))
  }, { additionalProperties: false }),
  typing: Type.Object({ roomId: IdSchema }, { additionalProperties: false }),
  read: Type.Object({ roomId: IdSchema, seq: SeqSchema }, { additionalProperties: false }),
  visibility: Type.Object({ visible: Type.Boolean() }, { additionalProperties: false }),
  ping: Empty
} satisfies Record<string, TSchema>

export type ClientMessageType = keyof typeof ClientDataSchemas
export type ClientData<T extends ClientMessageType> = Static<typeof ClientDataSchemas[T]>

export const EnvelopeSchema = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 64 }),
  id: Type.Optional(Type.String({ maxLength: 128 })),
  data: Type.Optional(Type.Object({}))
})
export type Envelope = Static<typeof EnvelopeSchema>

// Compiled once at load, like the type provider does for routes.
export const envelopeValidator = Compile(EnvelopeSchema)
export const dataValidators = Object.fromEntries(
  Object.entries(ClientDataSchemas).map(([type, schema]) => [type, Compile(schema)])
) as { [T in ClientMessageType]: ReturnType<typeof Compile<typeof ClientDataSchemas[T]>> }

export const isClientMessageType = (type: string): type is ClientMessageType => Object.hasOwn(ClientDataSchemas, type)

export type ServerMessageType =
  | 'ready' | 'ack' | 'error' | 'message.new' | 'message.updated' | 'messages' | 'typing' | 'presence' | 'read' | 'pong' | 'room.joined' | 'user.updated'

/** Serialises a server frame. Broadcasts call this once and send the same string to every socket. */
export function encode (type: ServerMessageType, data: object, id?: string): string {
  return JSON.stringify(id === undefined ? { type, data } : { type, id, data })
}
