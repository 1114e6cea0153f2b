import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm'
import { isUuid } from '../ids.js'
import { messages, roomMembers, rooms, type MessageRow, type NewMessageRow } from '../schema/index.js'
import type { Db } from '../types.js'

/**
 * Takes `count` event numbers for the room and returns the first. The row lock this update
 * holds until commit is what makes the room log gap-free and in commit order: a second writer of
 * the same room waits here, on any instance.
 */
export async function reserveEventSeqs (tx: Db, roomId: string, count: number): Promise<number> {
  const [row] = await tx.update(rooms).set({ lastSeq: sql`${rooms.lastSeq} + ${count}` })
    .where(eq(rooms.id, roomId)).returning({ lastSeq: rooms.lastSeq })
  if (row === undefined) throw new Error(`room ${roomId} vanished`)
  return row.lastSeq - count + 1
}

export function insertMessages (tx: Db, rows: NewMessageRow[]): Promise<MessageRow[]> {
  return tx.insert(messages).values(rows).returning()
}

export async function findMessagesByClientIds (db: Db, senderId: string, clientIds: string[]): Promise<MessageRow[]> {
  if (clientIds.length === 0) return []
  return await db.select().from(messages)
    .where(and(eq(messages.senderId, senderId), inArray(messages.clientId, clientIds)))
}

export async function findMessageForMember (db: Db, messageId: string, userId: string): Promise<MessageRow | undefined> {
  if (!isUuid(messageId)) return undefined
  const [row] = await db.select({ message: messages }).from(messages)
    .innerJoin(roomMembers, and(eq(roomMembers.roomId, messages.roomId), eq(roomMembers.userId, userId)))
    .where(eq(messages.id, messageId)).limit(1)
  return row?.message
}

export async function findMessagesByIds (tx: Db, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return []
  return await tx.select().from(messages).where(inArray(messages.id, ids))
}

export async function updateMessage (tx: Db, id: string, values: Partial<NewMessageRow>): Promise<MessageRow> {
  const [row] = await tx.update(messages).set(values).where(eq(messages.id, id)).returning()
  return row!
}

/** Newest first from the (room_id, seq) index, `limit` of them. */
export function listLatestMessages (db: Db, roomId: string, limit: number, before?: number) {
  return db.select().from(messages)
    .where(and(eq(messages.roomId, roomId), before === undefined ? undefined : lt(messages.seq, before)))
    .orderBy(desc(messages.seq)).limit(limit)
}

/** The change feed: messages changed by an event after `since`, oldest change first, from the (room_id, event_seq) index. */
export function listChangedSince (db: Db, roomId: string, since: number, limit: number) {
  return db.select().from(messages)
    .where(and(eq(messages.roomId, roomId), gt(messages.eventSeq, since)))
    .orderBy(asc(messages.eventSeq)).limit(limit)
}

export async function roomLastSeq (db: Db, roomId: string): Promise<number> {
  const [row] = await db.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)).limit(1)
  return row?.lastSeq ?? 0
}
