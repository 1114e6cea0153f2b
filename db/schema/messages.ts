import { randomUUID } from 'node:crypto'
import { integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core'
import { createdAt, timestamptz } from './_columns.js'
import { rooms } from './rooms.js'
import { users } from './users.js'

export const messages = pgTable('messages', {
  id: uuid('id').primaryKey().$defaultFn(randomUUID),
  roomId: uuid('room_id').notNull().references(() => rooms.id, { onDelete: 'cascade' }),
  // The creation event's number: the message's place in the history.
  seq: integer('seq').notNull(),
  // The latest event that changed it; the change feed reads `event_seq > n`.
  eventSeq: integer('event_seq').notNull(),
  senderId: uuid('sender_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  clientId: text('client_id'),
  body: text('body').notNull(),
  imageKey: text('image_key'),
  thumbKey: text('thumb_key'),
  imageWidth: integer('image_width'),
  imageHeight: integer('image_height'),
  createdAt: createdAt(),
  editedAt: timestamptz('edited_at'),
  deletedAt: timestamptz('deleted_at'),
  // Emoji → the members who reacted with it, in the order they did; a member holds at most one.
  // Kept on the row, so a reaction is a change of the message like an edit, with its own event.
  reactions: jsonb('reactions').$type<Reactions>().notNull().default({}),
  // The message this one answers, in the same room (the room log checks it when the reply is
  // sent); what the reply quotes is read from it. No foreign key: messages are only ever removed
  // with their room or sender, and a key would make each such removal probe every reply.
  replyToId: uuid('reply_to_id')
}, (t) => [
  unique('messages_room_id_seq_key').on(t.roomId, t.seq),
  unique('messages_room_id_event_seq_key').on(t.roomId, t.eventSeq),
  // NULL client ids never collide, so messages without one are unconstrained.
  unique('messages_sender_id_client_id_key').on(t.senderId, t.clientId)
])

/** Emoji → userIds in the order they reacted. */
export type Reactions = Record<string, string[]>

export type MessageRow = typeof messages.$inferSelect
export type NewMessageRow = typeof messages.$inferInsert
