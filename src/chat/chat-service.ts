import { findMessageForMember, findMessagesByClientIds, listLastMessages } from '../../db/queries/messages.js'
import { advanceReadMarker, ensureDirectRoom, familyRoomId, isRoomMember, listRoomIdsOfUser, listRoomLastSeqs, listRoomsOfUser, setRoomNotifications, type RoomView } from '../../db/queries/rooms.js'
import { findUserById } from '../../db/queries/users.js'
import { searchMessages } from '../../db/queries/search.js'
import { isUuid } from '../../db/ids.js'
import type { MessageRow } from '../../db/schema/index.js'
import { forbidden, notFound, validation } from '../errors.js'
import type { Message } from '../schemas/message.js'
import type { Room, RoomNotificationsBody } from '../schemas/room.js'
import { toMessageDto } from './message-dto.js'
import { plainText, sanitizeBody } from './body.js'
import { isOneEmoji } from './emoji.js'
import { readPage, rowCost, type HistoryPage, type HistoryQuery } from './pages.js'
import { storeAndSend, type ChatMedia } from './photos.js'
import { createRecentMessages } from './recent-messages.js'
import { createReadBudget, type ReadBudgetOptions } from './read-budget.js'
import { createRoomLog, replyRefusal, type RoomLogDatabase, type LogResult, type MessageEvent } from './room-log.js'
import { findOriginals, withQuotes, type ChatMessage } from './quotes.js'

export type { HistoryPage, HistoryQuery } from './pages.js'
export { PAGE_BYTES } from './pages.js'

export interface ReadEvent { type: 'read', roomId: string, userId: string, seq: number }
/** Users joined a room (a new direct room, or an admin adding members): their sockets must follow. */
export interface JoinEvent { type: 'room.joined', roomId: string, userIds: string[] }
/** A member changed their notification settings for a room (push decides who to notify from them). */
export interface SettingsEvent { type: 'settings', roomId: string, userId: string }
/**
 * The domain's events, the bus the realtime hub and push notifications subscribe to with
 * `onEvent`: every committed message change in `eventSeq` order per room, read-marker moves, joins
 * and notification settings. Listeners run after the writer was answered; they must not throw.
 * (The recent-messages cache is the one exception, fed by the room log at commit, before any
 * writer is answered, so that a client always reads its own writes.)
 */
export type ChatEvent = MessageEvent | ReadEvent | JoinEvent | SettingsEvent
export type ChatListener = (event: ChatEvent) => void

export interface ChatServiceOptions {
  database: RoomLogDatabase
  media: ChatMedia
  /** Where the clean-up of a deleted message's files reports a failure (the message is deleted regardless). */
  log: { error (obj: object, msg: string): void }
  /** Keep the newest messages of busy rooms in memory: only when this is the only instance. */
  cacheRecent?: boolean
  readBudget?: ReadBudgetOptions
}

export interface MessagePageView {
  messages: Message[]
  hasMore: boolean
  lastSeq: number
}

const roomNotFound = () => notFound('No such room')
const messageNotFound = () => notFound('No such message')

/** What one member may read per second, beyond a burst of 4 MiB (see createReadBudget). */
const READ_BUDGET = { bytesPerSecond: 2 * 1024 * 1024, burst: 4 * 1024 * 1024, maxWaiting: 8 }

/**
 * Everything a member can do in a room, for HTTP and WebSocket alike. Fastify-free. Every
 * committed change is announced to listeners, in event order per room.
 */
export function createChatService (options: ChatServiceOptions) {
  const { database: { db }, media, log: logger } = options
  const listeners = new Set<ChatListener>()
  const recent = options.cacheRecent === true ? createRecentMessages() : null
  const emit = (event: ChatEvent): void => {
    if (event.type === 'room.joined') recent?.join(event.roomId, event.userIds)
    for (const listener of listeners) listener(event)
  }
  const log = createRoomLog(options.database, emit, (event) => recent?.apply(event))
  let familyId: string | undefined

  const budget = createReadBudget(options.readBudget ?? READ_BUDGET)
  const pages = { db, recent, writesIdle: log.drain }

  /** The room named, or the Family room when none is. */
  const roomOrFamily = async (roomId: string | undefined): Promise<string> => roomId ?? (familyId ??= await familyRoomId(db))

  /** The room id if `userId` is a member, the Family room when omitted; 404 otherwise. */
  async function memberRoom (userId: string, roomId: string | undefined): Promise<string> {
    const id = await roomOrFamily(roomId)
    if (!isUuid(id) || !await isRoomMember(db, id, userId)) throw roomNotFound()
    return id
  }

  const toDto = (message: ChatMessage): Message => toMessageDto(message, media.store.urls)

  /** The contract's rooms: each with its newest live message, read in one query for all of them. */
  async function withLastMessages (views: RoomView[]): Promise<Room[]> {
    const last = new Map((await withQuotes(db, await listLastMessages(db, views.map((v) => v.id)))).map((m) => [m.roomId, m]))
    return views.map((view) => {
      const message = last.get(view.id)
      return { ...view, lastMessage: message === undefined ? null : toDto(message) }
    })
  }

  /** A deleted message's files: the tombstone is committed, a file that fails to go is the operator's to see. */
  async function discardImage (image: Pick<MessageRow, 'imageKey' | 'thumbKey'>): Promise<void> {
    const keys = [image.imageKey, image.thumbKey].filter((k): k is string => k !== null)
    if (keys.length === 0) return
    await media.store.remove(keys).catch((err: unknown) => logger.error({ err, keys }, 'could not remove the media of a deleted message'))
  }

  async function findSent (userId: string, clientId: string): Promise<ChatMessage | undefined> {
    const [row] = await withQuotes(db, await findMessagesByClientIds(db, userId, [clientId]))
    return row
  }

  // A change first looks its message up (for the room, and who may change it); on a pool of
  // connections two lookups can finish out of order, so a member tapping 👍 then ❤️ could end on
  // 👍. Changes to one message therefore reach the room log in the order they were asked for:
  // each lookup starts once the previous change to that message is queued (not committed).
  const queuing = new Map<string, Promise<unknown>>()
  // (`queue` answers { committed } rather than the append's promise, which would be awaited along.)
  async function changeInOrder (messageId: string, queue: () => Promise<{ committed: Promise<LogResult> }>): Promise<LogResult> {
    const previous = queuing.get(messageId) ?? Promise.resolve()
    const queued = previous.then(queue)
    const settled: Promise<void> = queued.then(() => {}, () => {}).then(() => {
      if (queuing.get(messageId) === settled) queuing.delete(messageId)
    })
    queuing.set(messageId, settled)
    return await (await queued).committed
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
      input: { roomId?: string | undefined, body: string, clientId?: string | undefined, replyToId?: string | undefined },
      options: { member?: boolean } = {}
    ): Promise<LogResult> {
      const body = sanitizeBody(input.body, { allowEmpty: false })
      const roomId = options.member === true && input.roomId !== undefined ? input.roomId : await memberRoom(userId, input.roomId)
      return await log.append(roomId, { kind: 'send', senderId: userId, clientId: input.clientId ?? null, body, image: null, replyToId: input.replyToId ?? null })
    },

    /**
     * A photo message (`body` its caption). Membership and a retried clientId are settled before
     * any image work: a retry answers with its original, without decoding anything.
     */
    async sendPhoto (
      userId: string,
      input: { roomId?: string | undefined, body: string, clientId?: string | undefined, replyToId?: string | undefined, file: Buffer }
    ): Promise<LogResult> {
      const body = sanitizeBody(input.body, { allowEmpty: true })
      const roomId = await memberRoom(userId, input.roomId)
      const clientId = input.clientId ?? null
      if (clientId !== null) {
        const original = await findSent(userId, clientId)
        if (original !== undefined) return { message: original, changed: false }
      }
      const replyToId = input.replyToId ?? null
      // Refused before any image work; the room log checks again, in order with the room's changes.
      if (replyToId !== null) {
        const refusal = replyRefusal(roomId, (await findOriginals(db, [replyToId])).get(replyToId))
        if (refusal !== undefined) throw refusal
      }
      return await storeAndSend(media, input.file,
        (image) => log.append(roomId, { kind: 'send', senderId: userId, clientId, body, image, replyToId }),
        discardImage)
    },

    edit (userId: string, messageId: string, rawBody: string): Promise<LogResult> {
      return changeInOrder(messageId, async () => {
        const message = await ownMessage(userId, messageId)
        const body = sanitizeBody(rawBody, { allowEmpty: message.imageKey !== null })
        return { committed: log.append(message.roomId, { kind: 'edit', messageId, body }) }
      })
    },

    /** Leaves a tombstone and removes the photo's files, if it had any. */
    async remove (userId: string, messageId: string): Promise<LogResult> {
      let message: MessageRow | undefined
      const result = await changeInOrder(messageId, async () => {
        message = await ownMessage(userId, messageId)
        return { committed: log.append(message.roomId, { kind: 'delete', messageId }) }
      })
      if (result.changed) await discardImage(message!)
      return result
    },

    /**
     * Sets (or with null takes back) the member's one reaction to a message. Membership is checked
     * here; whether the message can take it (not deleted, not already that emoji) is the room
     * log's rule, decided in order with the room's other changes.
     */
    async react (userId: string, messageId: string, emoji: string | null): Promise<LogResult> {
      if (emoji !== null && !isOneEmoji(emoji)) throw validation('emoji must be exactly one emoji')
      return await changeInOrder(messageId, async () => {
        const message = await findMessageForMember(db, messageId, userId)
        if (message === undefined) throw messageNotFound()
        return { committed: log.append(message.roomId, { kind: 'react', messageId, userId, emoji }) }
      })
    },

    /**
     * Messages of my rooms (or of `roomId`, which must be mine) containing every word of `q` as a
     * prefix, newest first. The cursor is opaque to clients: the last message's id, encoded.
     */
    async search (userId: string, input: { q: string, roomId?: string | undefined, limit: number, cursor?: string | undefined }): Promise<{ messages: Message[], nextCursor: string | null }> {
      // Cleaned as the bodies it searches were: a NUL or an unpaired surrogate cannot reach the database.
      const text = plainText(input.q).trim()
      if (text === '') throw validation('q must contain something to search for')
      const afterId = input.cursor === undefined ? undefined : Buffer.from(input.cursor, 'base64url').toString()
      if (afterId !== undefined && !isUuid(afterId)) throw validation('cursor is not one this server gave')
      if (input.roomId !== undefined) await memberRoom(userId, input.roomId)
      const rows = await searchMessages(db, { userId, roomId: input.roomId, text, limit: input.limit + 1, afterId })
      const page = await withQuotes(db, rows.slice(0, input.limit))
      const last = page.at(-1)
      return {
        messages: page.map(toDto),
        nextCursor: rows.length > input.limit && last !== undefined ? Buffer.from(last.id).toString('base64url') : null
      }
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
        const page = await readPage(pages, await roomOrFamily(query.roomId), userId, query)
        return { result: page, bytes: page.messages.reduce((sum, m) => sum + rowCost(m), 0) }
      })
    },

    roomIds (userId: string): Promise<string[]> {
      return listRoomIdsOfUser(db, userId)
    },

    async rooms (userId: string): Promise<Room[]> {
      return await withLastMessages(await listRoomsOfUser(db, userId))
    },

    /** Every room's last event number (where each room's fan-out stream stands). */
    lastSeqs: (): Promise<Map<string, number>> => listRoomLastSeqs(db),

    async room (userId: string, roomId: string): Promise<Room> {
      const [room] = isUuid(roomId) ? await withLastMessages(await listRoomsOfUser(db, userId, roomId)) : []
      if (room === undefined) throw roomNotFound()
      return room
    },

    /** My notification settings for a room; answers the room as I now see it. */
    async setNotifications (userId: string, roomId: string, settings: RoomNotificationsBody): Promise<Room> {
      const changed = {
        ...(settings.notify === undefined ? {} : { notify: settings.notify }),
        ...(settings.mutedUntil === undefined ? {} : { mutedUntil: settings.mutedUntil === null ? null : new Date(settings.mutedUntil) })
      }
      if (!isUuid(roomId) || !await setRoomNotifications(db, roomId, userId, changed)) throw roomNotFound()
      emit({ type: 'settings', roomId, userId })
      const [room] = await withLastMessages(await listRoomsOfUser(db, userId, roomId))
      return room!
    },

    /** The direct room of the two users, created on first use. */
    async directRoom (userId: string, otherId: string): Promise<Room> {
      if (otherId === userId) throw validation('A direct room needs another family member')
      const other = isUuid(otherId) ? await findUserById(db, otherId) : undefined
      if (other === undefined || other.disabledAt !== null) throw notFound('No such user')
      const { roomId, created } = await ensureDirectRoom(db, userId, otherId)
      if (created) emit({ type: 'room.joined', roomId, userIds: [userId, otherId] })
      const [room] = await withLastMessages(await listRoomsOfUser(db, userId, roomId))
      return room!
    },

    onEvent (listener: ChatListener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    /** Announces users added to a room outside this service (admin commands), so their sockets follow. */
    joined (roomId: string, userIds: string[]): void {
      emit({ type: 'room.joined', roomId, userIds })
    },

    /** The contract's Message for a stored row (signed image URLs): the one mapping for HTTP and WS. */
    toDto,

    pageDto: (page: HistoryPage): MessagePageView => ({ messages: page.messages.map(toDto), hasMore: page.hasMore, lastSeq: page.lastSeq }),

    /** Resolves once every queued change is committed and announced. */
    drain: log.drain
  }
}

export type ChatService = ReturnType<typeof createChatService>
