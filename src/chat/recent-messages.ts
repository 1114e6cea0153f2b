import { quoteOf, type ChatMessage } from './quotes.js'
import type { MessageEvent } from './room-log.js'

/** Enough for the largest page (limit 100) plus one row to tell whether older ones exist. */
const KEEP = 101

interface Entry {
  /** Every event of the room up to this number is reflected in `rows`. */
  lastSeq: number
  /** The newest messages, ascending by seq. */
  rows: ChatMessage[]
  /** Whether the room has messages older than rows[0]. */
  olderExist: boolean
  /** Users known to be members (membership only ever grows, so a hit needs no check). */
  members: Set<string>
  /** Whatever callers derive from these rows (serialised pages), forgotten at every change. */
  memo: Map<string, string>
}

export interface RecentPage {
  rows: ChatMessage[]
  hasMore: boolean
  lastSeq: number
  memo: Map<string, string>
}

// A room's memo holds a few page sizes; more means callers vary their keys, so start afresh.
const MAX_MEMO = 8

/**
 * The newest messages of recently read rooms, kept current by the room log's own events, so the
 * page every client opens a room with ("the latest 50") costs no database round trip. Only valid
 * while this process sees every event of the room, i.e. it is the only instance (no Redis).
 *
 * An entry is filled from the database and then moved forward event by event; an event that does
 * not follow (a gap) drops the entry, and so does an event seen while a fill was on its way.
 */
export function createRecentMessages (maxRooms = 32) {
  const entries = new Map<string, Entry>()
  // The newest event emitted per room since start, to tell whether a fill raced with events.
  const emitted = new Map<string, number>()

  const touch = (roomId: string, entry: Entry): void => {
    entries.delete(roomId)
    entries.set(roomId, entry)
  }

  function upsert (entry: Entry, row: ChatMessage): void {
    const index = entry.rows.findIndex((r) => r.id === row.id)
    if (index >= 0) {
      if (entry.rows[index]!.eventSeq <= row.eventSeq) entry.rows[index] = row
      return
    }
    // Edits and deletions of messages older than the window change nothing here.
    if (entry.rows.length > 0 && row.seq < entry.rows[0]!.seq) return
    entry.rows.push(row)
    entry.rows.sort((a, b) => a.seq - b.seq)
    if (entry.rows.length > KEEP) {
      entry.rows.shift()
      entry.olderExist = true
    }
  }

  /** Replies in the window show their original as it is now (new rows: pages handed out keep theirs). */
  function requote (entry: Entry, original: ChatMessage): void {
    entry.rows.forEach((row, i) => {
      if (row.replyToId === original.id) entry.rows[i] = { ...row, replyTo: quoteOf(original) }
    })
  }

  return {
    /** How many rows a fill must read: the caller passes them (newest first) to `fill`. */
    fillSize: KEEP + 1,

    /** The latest `limit` messages if this room is cached and `userId` known to be a member. */
    latest (roomId: string, userId: string, limit: number): RecentPage | undefined {
      const entry = entries.get(roomId)
      if (entry === undefined || !entry.members.has(userId)) return undefined
      if (entry.rows.length < limit && entry.olderExist) return undefined
      touch(roomId, entry)
      if (entry.memo.size > MAX_MEMO) entry.memo.clear()
      return {
        rows: entry.rows.slice(-limit),
        hasMore: entry.rows.length > limit || (entry.rows.length === limit && entry.olderExist),
        lastSeq: entry.lastSeq,
        memo: entry.memo
      }
    },

    /**
     * Stores what a member's read found: `lastSeq` read first, then `newestFirst` (up to fillSize
     * rows). Skipped if an event after `lastSeq` was emitted meanwhile: the rows might miss it.
     */
    fill (roomId: string, userId: string, lastSeq: number, newestFirst: ChatMessage[]): void {
      const existing = entries.get(roomId)
      if (existing !== undefined) {
        existing.members.add(userId)
        return
      }
      if ((emitted.get(roomId) ?? 0) > lastSeq) return
      const rows = newestFirst.slice(0, KEEP).reverse()
      entries.set(roomId, { lastSeq, rows, olderExist: newestFirst.length > KEEP, members: new Set([userId]), memo: new Map() })
      while (entries.size > maxRooms) entries.delete(entries.keys().next().value!)
    },

    /** Every committed event, in order per room, before its writer is answered (the room log's onCommit). */
    apply (event: MessageEvent): void {
      const seq = event.message.eventSeq
      emitted.set(event.roomId, Math.max(seq, emitted.get(event.roomId) ?? 0))
      const entry = entries.get(event.roomId)
      if (entry === undefined) return
      // An event already reflected by the fill (committed before it read) is applied again, harmlessly.
      if (seq > entry.lastSeq + 1) {
        entries.delete(event.roomId)
        return
      }
      upsert(entry, event.message)
      // A new message has no replies yet.
      if (event.type === 'message.updated') requote(entry, event.message)
      entry.lastSeq = Math.max(entry.lastSeq, seq)
      entry.memo.clear()
    },

    join (roomId: string, userIds: string[]): void {
      const entry = entries.get(roomId)
      if (entry !== undefined) for (const id of userIds) entry.members.add(id)
    }
  }
}

export type RecentMessages = ReturnType<typeof createRecentMessages>
