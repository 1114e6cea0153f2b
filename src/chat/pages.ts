import { listChangedSince, listLatestMessages, listOlderThan, MESSAGE_OVERHEAD_BYTES } from '../../db/queries/messages.js'
import { lastSeqForMember } from '../../db/queries/rooms.js'
import { isUuid } from '../../db/ids.js'
import type { MessageRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'
import { notFound } from '../errors.js'
import type { RecentMessages } from './recent-messages.js'
import { withQuotes, type ChatMessage } from './quotes.js'
import { readInChunks } from './chunked-read.js'

export interface HistoryQuery {
  roomId?: string | undefined
  before?: number | undefined
  since?: number | undefined
  limit: number
}

export interface HistoryPage {
  roomId: string
  messages: ChatMessage[]
  hasMore: boolean
  lastSeq: number
  /** Served from memory: a place to keep what is derived from this exact page until it changes. */
  memo?: Map<string, string>
}

/** At most this much of message JSON in one page: 100 messages of 4,000 characters would be 1.6 MB. */
export const PAGE_BYTES = 256 * 1024

// A page's share of the wire, weighed as the change feed's query weighs it: the body's UTF-8 bytes
// plus an allowance for the message's other fields and signed URLs.
export const rowCost = (row: MessageRow): number => MESSAGE_OVERHEAD_BYTES + Buffer.byteLength(row.body)

/** The leading rows that fit in PAGE_BYTES, and always the first. */
function firstWithin<Row extends MessageRow> (rows: Row[]): Row[] {
  let bytes = 0
  for (let i = 0; i < rows.length; i++) {
    bytes += rowCost(rows[i]!)
    if (bytes > PAGE_BYTES && i > 0) return rows.slice(0, i)
  }
  return rows
}

/** The trailing (newest) rows of an ascending page that fit in PAGE_BYTES (the page itself when all do). */
function newestWithin<Row extends MessageRow> (rows: Row[]): Row[] {
  let bytes = 0
  for (let i = rows.length - 1; i >= 0; i--) {
    bytes += rowCost(rows[i]!)
    if (bytes > PAGE_BYTES && i < rows.length - 1) return rows.slice(i + 1)
  }
  return rows
}

/** Where pages come from: the database, the recent-messages cache, and when the room log's writes are done. */
export interface PageSource {
  db: Db
  recent: RecentMessages | null
  writesIdle (): Promise<void>
}

/**
 * One page of a room for a member: the latest (from the recent-messages cache when it has it),
 * older than `before`, or the change feed after `since`; cut at PAGE_BYTES.
 */
export async function readPage ({ db, recent, writesIdle }: PageSource, roomId: string, userId: string, query: HistoryQuery): Promise<HistoryPage> {
  const isLatest = query.since === undefined && query.before === undefined
  const cached = isLatest ? recent?.latest(roomId, userId, query.limit) : undefined
  if (cached !== undefined) {
    const newest = newestWithin(cached.rows)
    if (newest === cached.rows) return { roomId, messages: cached.rows, hasMore: cached.hasMore, lastSeq: cached.lastSeq, memo: cached.memo }
    return { roomId, messages: newest, hasMore: true, lastSeq: cached.lastSeq }
  }
  // lastSeq is read first, so the page may hold newer events than it says, never fewer.
  const lastSeq = isUuid(roomId) ? await lastSeqForMember(db, roomId, userId) : undefined
  if (lastSeq === undefined) throw notFound('No such room')
  // The change feed (oldest change first) or scrolling up (newest first), a chunk at a time.
  const older = query.since === undefined
  const from = query.since ?? query.before
  if (from !== undefined) {
    const rows = await readInChunks({
      read: (cursor, limit, maxBytes) => (older ? listOlderThan : listChangedSince)(db, roomId, cursor, limit, maxBytes),
      next: (row) => older ? row.seq : row.eventSeq,
      from,
      cost: rowCost,
      limit: query.limit + 1,
      maxBytes: PAGE_BYTES,
      writesIdle
    })
    const page = await withQuotes(db, firstWithin(rows.slice(0, query.limit)))
    return { roomId, messages: older ? page.reverse() : page, hasMore: rows.length > page.length, lastSeq }
  }
  // The latest page is read whole: the recent-messages cache keeps it (and every row its quote).
  const read = recent !== null ? Math.max(recent.fillSize, query.limit + 1) : query.limit + 1
  const rows = await withQuotes(db, await listLatestMessages(db, roomId, read))
  recent?.fill(roomId, userId, lastSeq, rows)
  const page = firstWithin(rows.slice(0, query.limit))
  return { roomId, messages: page.reverse(), hasMore: rows.length > page.length, lastSeq }
}
