import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAt } from './_columns.js'
import { users } from './users.js'

export const ROOM_KINDS = ['group', 'direct'] as const
export const NOTIFY_LEVELS = ['all', 'none'] as const

export const rooms = pgTable('rooms', {
  id: uuid('id').primaryKey().$defaultFn(randomUUID),
  name: text('name').notNull(),
  kind: text('kind', { enum: ROOM_KINDS }).notNull(),
  // The one room every user joins; a partial unique index keeps it single.
  isFamily: boolean('is_family').notNull().default(false),
  // "<lower uuid>:<higher uuid>" for direct rooms, so a pair can only ever have one.
  directKey: text('direct_key').unique('rooms_direct_key_key'),
  // The number of the room's latest event (docs/protocol.md, "The room log").
  lastSeq: integer('last_seq').notNull().default(0),
  createdAt: createdAt()
}, (t) => [
  uniqueIndex('rooms_is_family_key').on(t.isFamily).where(sql`${t.isFamily}`),
  check('rooms_kind_check', sql`${t.kind} in ('group', 'direct')`)
])

export const roomMembers = pgTable('room_members', {
  roomId: uuid('room_id').notNull().references(() => rooms.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  lastReadSeq: integer('last_read_seq').notNull().default(0),
  joinedAt: timestamp('joined_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  // This member's notification settings for the room: 'none' silences it, as does a mutedUntil to come.
  notify: text('notify', { enum: NOTIFY_LEVELS }).notNull().default('all'),
  mutedUntil: timestamp('muted_until', { withTimezone: true, mode: 'date' })
}, (t) => [
  primaryKey({ name: 'room_members_pkey', columns: [t.roomId, t.userId] }),
  check('room_members_notify_check', sql`${t.notify} in ('all', 'none')`),
  index('room_members_user_id_idx').on(t.userId)
])

export type RoomRow = typeof rooms.$inferSelect
export type RoomKind = typeof ROOM_KINDS[number]
export type NotifyLevel = typeof NOTIFY_LEVELS[number]
