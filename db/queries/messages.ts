import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, sql } from 'drizzle-orm'
import { isUuid } from '../ids.js'
import { messages, roomMembers, rooms, type MessageRow, type NewMessageRow } from '../schema/index.js'
import type { Db } from '../types.js'

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
export function listLatestMessages (db: Db, roomId: string, limit: number) {
  return db.select().from(messages)
    .where(eq(messages.roomId, roomId))
    .orderBy(desc(messages.seq)).limit(limit)
}

/** How many of a room's newest messages the conversation list looks through for one that is not deleted. */
export const LAST_MESSAGE_WINDOW = 50

/**
 * Each room's newest message that is not deleted (for the conversation list): per room, the
 * (room_id, seq) index walked backwards — never the room's whole history. A room whose newest
 * LAST_MESSAGE_WINDOW are all deleted (or that has none) is looked up again without the window.
 */
export async function listLastMessages (db: Db, roomIds: string[]): Promise<MessageRow[]> {
  if (roomIds.length === 0) return []
  const found = (await lastLiveMessagesQuery(db, roomIds, LAST_MESSAGE_WINDOW)).map((r) => r.last)
  const missing = roomIds.filter((id) => !found.some((m) => m.roomId === id))
  if (missing.length === 0) return found
  return [...found, ...(await lastLiveMessagesQuery(db, missing, null)).map((r) => r.last)]
}

/**
 * Per room, the newest message not deleted among its newest `window` (null: among all of them).
 * Exported so scripts/explain-history.ts can EXPLAIN it.
 */
export function lastLiveMessagesQuery (db: Db, roomIds: string[], window: number | null) {
  // `deleted_at is null` beside `order by seq desc limit 1` made a planner without statistics
  // (PGlite's, until a database holds enough messages: db/planner-statistics.ts) expect a single
  // live row in the room and sort the room's whole history to find it: 50 ms a connect at 100,000
  // messages. The window is read from the index with no filter, which every planner reads in
  // order; the filter only sees what it read.
  const liveAmongNewest = (size: number) => {
    const newest = db.select().from(messages).where(eq(messages.roomId, rooms.id)).orderBy(desc(messages.seq)).limit(size).as('newest')
    return db.select().from(newest).where(isNull(newest.deletedAt)).orderBy(desc(newest.seq)).limit(1).as('last')
  }
  const last = window === null
    ? db.select().from(messages).where(and(eq(messages.roomId, rooms.id), isNull(messages.deletedAt)))
      .orderBy(desc(messages.seq)).limit(1).as('last')
    : liveAmongNewest(window)
  return db.select().from(rooms).innerJoinLateral(last, sql`true`).where(inArray(rooms.id, roomIds))
}

/** What a message weighs in a page: its body's UTF-8 bytes and an allowance for the other fields. */
export const MESSAGE_OVERHEAD_BYTES = 400

/**
 * A room's messages in `order` from `from` (exclusive) — at most `limit`, and only those starting
 * within `maxBytes` of the page (the first one past it included, so the caller can tell more
 * follow). The weights are read first (`octet_length` reads a TOASTed body's size without
 * decompressing it); only the rows that will be sent are fetched whole, so a page of long messages
 * costs what it sends.
 */
function listWithin (db: Db, roomId: string, order: 'change feed' | 'older', from: number, limit: number, maxBytes: number) {
  const weight = sql`${MESSAGE_OVERHEAD_BYTES} + octet_length(${messages.body})`
  const [column, direction, after] = order === 'change feed'
    ? [messages.eventSeq, asc, gt(messages.eventSeq, from)] as const
    : [messages.seq, desc, lt(messages.seq, from)] as const
  const weighed = db.$with('weighed').as(
    db.select({
      id: messages.id,
      before: sql<number>`sum(${weight}) over (order by ${direction(column)}) - (${weight})`.as('bytes_before')
    }).from(messages)
      .where(and(eq(messages.roomId, roomId), after))
      .orderBy(direction(column)).limit(limit)
  )
  return db.with(weighed).select(getTableColumns(messages)).from(messages)
    .innerJoin(weighed, eq(messages.id, weighed.id))
    .where(sql`${weighed.before} <= ${maxBytes}`)
    .orderBy(direction(column))
}

/** The change feed: messages changed by an event after `since`, oldest change first, from the (room_id, event_seq) index. */
export function listChangedSince (db: Db, roomId: string, since: number, limit: number, maxBytes = Number.MAX_SAFE_INTEGER) {
  return listWithin(db, roomId, 'change feed', since, limit, maxBytes)
}

/** Scrolling up: messages older than `before`, newest first, from the (room_id, seq) index. */
export function listOlderThan (db: Db, roomId: string, before: number, limit: number, maxBytes: number) {
  return listWithin(db, roomId, 'older', before, limit, maxBytes)
}
