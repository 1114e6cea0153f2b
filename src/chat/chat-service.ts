import { findMessageForMember, findMessagesByClientIds, listChangedSince, listLatestMessages, MESSAGE_OVERHEAD_BYTES } from '../../db/queries/messages.js'
import { advanceReadMarker, ensureDirectRoom, familyRoomId, isRoomMember, lastSeqForMember, listRoomIdsOfUser, listRoomsOfUser, type RoomView } from '../../db/queries/rooms.js'
import { findUserById } from '../../db/queries/users.js'
import { isUuid } from '../../db/ids.js'
import type { MessageRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'
import { forbidden, notFound, validation } from '../errors.js'
import { sanitizeBody } from './body.js'
import { createRecentMessages } from './recent-messages.js'
import { createReadBudget, type ReadBudgetOptions } from './read-budget.js'
import { createRoomLog, type ImageFields, type LogResult, type MessageEvent } from './room-log.js'

export interface ReadEvent { type: 'read', roomId: string, userId: string, seq: number }
/** Users joined a room (a new direct room, or an admin adding members): their sockets must follow. */
export interface JoinEvent { type: 'room.joined', roomId: string, userIds: string[] }
export type ChatEvent = MessageEvent | ReadEvent | JoinEvent
export type ChatListener = (event: ChatEvent) => void

export interface HistoryQuery {
  roomId?: string | undefined
  before?: number | undefined
  since?: number | undefined
  limit: number
}

export interface HistoryPage {
  roomId: string
  messages: MessageRow[]
  hasMore: boolean
  lastSeq: number
  /** Served from memory: a place to keep what is derived from this exact page until it changes. */
  memo?: Map<string, string>
}

const roomNotFound = () => notFound('No such room')
const messageNotFound = () => notFound('No such message')

// A page's share of the wire, weighed as the change feed's query weighs it: the body's UTF-8 bytes
// plus an allowance for the message's other fields and signed URLs.
const rowCost = (row: MessageRow): number => MESSAGE_OVERHEAD_BYTES + Buffer.byteLength(row.body)
/** At most this much of message JSON in one page: 100 messages of 4,000 characters would be 1.6 MB. */
export const PAGE_BYTES = 256 * 1024
/** What one member may read per second, beyond a burst of 4 MiB (see createReadBudget). */
const READ_BUDGET = { bytesPerSecond: 2 * 1024 * 1024, burst: 4 * 1024 * 1024, maxWaiting: 8 }

/** The leading rows that fit in PAGE_BYTES, and always the first. */
function firstWithin (rows: MessageRow[]): MessageRow[] {
  let bytes = 0
  for (let i = 0; i < rows.length; i++) {
    bytes += rowCost(rows[i]!)
    if (bytes > PAGE_BYTES && i > 0) return rows.slice(0, i)
  }
  return rows
}
/** The trailing (newest) rows of an ascending page that fit in PAGE_BYTES (the page itself when all do). */
function newestWithin (rows: MessageRow[]): MessageRow[] {
  let bytes = 0
  for (let i = rows.length - 1; i >= 0; i--) {
    bytes += rowCost(rows[i]!)
    if (bytes > PAGE_BYTES && i < rows.length - 1) return rows.slice(i + 1)
  }
  return rows
}

/**
 * Everything a member can do in a room, for HTTP and WebSocket alike. Fastify-free. Every
 * committed change is announced to listeners, in event order per room.
 */
export function createChatService (db: Db, options: { cacheRecent?: boolean, readBudget?: ReadBudgetOptions } = {}) {
  const listeners = new Set<ChatListener>()
  const recent = options.cacheRecent === true ? createRecentMessages() : null
  const emit = (event: ChatEvent): void => {
    if (event.type === 'room.joined') recent?.join(event.roomId, event.userIds)
    for (const listener of listeners) listener(event)
  }
  const log = createRoomLog(db, emit, (event) => recent?.apply(event))
  let familyId: string | undefined

  const budget = createReadBudget(options.readBudget ?? READ_BUDGET)

  async function readPage (userId: string, query: HistoryQuery): Promise<HistoryPage> {
    if (query.roomId === undefined) familyId ??= await familyRoomId(db)
    const roomId = query.roomId ?? familyId!
    const isLatest = query.since === undefined && query.before === undefined
    const cached = isLatest ? recent?.latest(roomId, userId, query.limit) : undefined
    if (cached !== undefined) {
      const newest = newestWithin(cached.rows)
      if (newest === cached.rows) return { roomId, messages: cached.rows, hasMore: cached.hasMore, lastSeq: cached.lastSeq, memo: cached.memo }
      return { roomId, messages: newest, hasMore: true, lastSeq: cached.lastSeq }
    }
    // lastSeq is read first, so the page may hold newer events than it says, never fewer.
    const lastSeq = isUuid(roomId) ? await lastSeqForMember(db, roomId, userId) : undefined
    if (lastSeq === undefined) throw roomNotFound()
    if (query.since !== undefined) {
      const rows = await listChangedSince(db, roomId, query.since, query.limit + 1, PAGE_BYTES)
      const page = firstWithin(rows.slice(0, query.limit))
      return { roomId, messages: page, hasMore: rows.length > page.length, lastSeq }
    }
    const read = isLatest && recent !== null ? Math.max(recent.fillSize, query.limit + 1) : query.limit + 1
    const rows = await listLatestMessages(db, roomId, read, query.before)
    if (isLatest) recent?.fill(roomId, userId, lastSeq, rows)
    const page = firstWithin(rows.slice(0, query.limit))
    return { roomId, messages: page.reverse(), hasMore: rows.length > page.length, lastSeq }
  }

  /** The room id if `userId` is a member, the Family room when omitted; 404 otherwise. */
  async function memberRoom (userId: string, roomId: string | undefined): Promise<string> {
    if (roomId === undefined) {
      familyId ??= await familyRoomId(db)
      roomId = familyId
    }
    if (!isUuid(roomId) || !await isRoomMember(db, roomId, userId)) throw roomNotFound()
    return roomId
  }

  async function ownMessage (userId: string, messageId: string): Promise<MessageRow> {
    const message = await findMessageForMember(db, messageId, userId)
    if (message === undefined) throw messageNotFound()
    if (message.senderId !== userId) throw forbidden('Only the sender can change a message')
    return message
  }

  return {
    memberRoom,

    /**
     * Appends a message. With `member` the caller has already established membership (a socket
     * knows its rooms): nothing is awaited before the append, so one socket's sends enter the
     * room log in the order they arrived.
     */
    async send (
      userId: string,
      input: { roomId?: string | undefined, body: string, clientId?: string | undefined, image?: ImageFields },
      options: { member?: boolean } = {}
    ): Promise<LogResult> {
      const body = sanitizeBody(input.body, { allowEmpty: input.image !== undefined })
      const roomId = options.member === true && input.roomId !== undefined ? input.roomId : await memberRoom(userId, input.roomId)
      return await log.append(roomId, { kind: 'send', senderId: userId, clientId: input.clientId ?? null, body, image: input.image ?? null })
    },

    /** The message this sender already stored under `clientId`, if any (an upload retry skips the image work). */
    async findSent (userId: string, clientId: string): Promise<MessageRow | undefined> {
      const [row] = await findMessagesByClientIds(db, userId, [clientId])
      return row
    },

    async edit (userId: string, messageId: string, rawBody: string): Promise<LogResult> {
      const message = await ownMessage(userId, messageId)
      const body = sanitizeBody(rawBody, { allowEmpty: message.imageKey !== null })
      return await log.append(message.roomId, { kind: 'edit', messageId, body })
    },

    async remove (userId: string, messageId: string): Promise<LogResult & { removedImage: Pick<MessageRow, 'imageKey' | 'thumbKey'> }> {
      const message = await ownMessage(userId, messageId)
      const result = await log.append(message.roomId, { kind: 'delete', messageId })
      return { ...result, removedImage: { imageKey: message.imageKey, thumbKey: message.thumbKey } }
    },

    /** Moves the read marker forward (never back, never past the last event). */
    async markRead (userId: string, roomId: string, seq: number): Promise<number> {
      await memberRoom(userId, roomId)
      const marker = await advanceReadMarker(db, roomId, userId, seq)
      if (marker === undefined) throw roomNotFound()
      if (marker.moved) emit({ type: 'read', roomId, userId, seq: marker.seq })
      return marker.seq
    },

    /**
     * A page of history, paid for from the member's read budget and cut at `PAGE_BYTES` (at least
     * one message; `hasMore` then says more follow), so no single request serialises megabytes.
     */
    history (userId: string, query: HistoryQuery): Promise<HistoryPage> {
      if (query.before !== undefined && query.since !== undefined) {
        return Promise.reject(validation('Use either before or since, not both'))
      }
      return budget.run(userId, async () => {
        const page = await readPage(userId, query)
        return { result: page, bytes: page.messages.reduce((sum, m) => sum + rowCost(m), 0) }
      })
    },

    roomIds (userId: string): Promise<string[]> {
      return listRoomIdsOfUser(db, userId)
    },

    rooms (userId: string): Promise<RoomView[]> {
      return listRoomsOfUser(db, userId)
    },

    async room (userId: string, roomId: string): Promise<RoomView> {
      const [room] = isUuid(roomId) ? await listRoomsOfUser(db, userId, roomId) : []
      if (room === undefined) throw roomNotFound()
      return room
    },

    /** The direct room of the two users, created on first use. */
    async directRoom (userId: string, otherId: string): Promise<RoomView> {
      if (otherId === userId) throw validation('A direct room needs another family member')
      const other = isUuid(otherId) ? await findUserById(db, otherId) : undefined
      if (other === undefined || other.disabledAt !== null) throw notFound('No such user')
      const { roomId, created } = await ensureDirectRoom(db, userId, otherId)
      if (created) emit({ type: 'room.joined', roomId, userIds: [userId, otherId] })
      const [room] = await listRoomsOfUser(db, userId, roomId)
      return room!
    },

    onEvent (listener: ChatListener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    /** Announces a change made outside this service (admin commands) to the realtime layer. */
    emit,

    /** Resolves once every queued change is committed and announced. */
    drain: log.drain
  }
}

export type ChatService = ReturnType<typeof createChatService>
