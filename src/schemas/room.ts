import { Type, type Static } from 'typebox'
import { IdSchema, SeqSchema } from './common.js'
import { MessageSchema } from './message.js'

const NotifySchema = Type.Union([Type.Literal('all'), Type.Literal('none')])

export const RoomSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  // db/schema/rooms.ts's ROOM_KINDS: routes returning a room fail to compile if they part.
  kind: Type.Union([Type.Literal('group'), Type.Literal('direct')]),
  lastSeq: Type.Integer(),
  lastReadSeq: Type.Integer(),
  unread: Type.Integer(),
  members: Type.Array(IdSchema),
  // Beyond the contract (additive): every member's read marker, for read ticks after a reload.
  memberReadSeqs: Type.Record(Type.String(), Type.Integer()),
  /** The newest message that is not deleted, for the conversation list; null in an empty room. */
  lastMessage: Type.Union([MessageSchema, Type.Null()]),
  // My notification settings for this room: "none" silences it, and so does a mutedUntil to come.
  notify: NotifySchema,
  mutedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
}, { $id: 'Room' })
export type Room = Static<typeof RoomSchema>

export const RoomParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })
export const DirectRoomBodySchema = Type.Object({ userId: IdSchema }, { additionalProperties: false })
export const RoomNotificationsBodySchema = Type.Object({
  notify: Type.Optional(NotifySchema),
  mutedUntil: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()]))
}, { additionalProperties: false })
export type RoomNotificationsBody = Static<typeof RoomNotificationsBodySchema>

export const ReadBodySchema = Type.Object({ seq: SeqSchema }, { additionalProperties: false })
