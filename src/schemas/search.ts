import { Type } from 'typebox'
import { IdSchema } from './common.js'
import { MessageSchema } from './message.js'

export const SearchQuerySchema = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200 }),
  roomId: Type.Optional(IdSchema),
  limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 }))
}, { additionalProperties: false })

export const SearchResultSchema = Type.Object({
  messages: Type.Array(MessageSchema),
  /** Continues the same search; null on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()])
})
