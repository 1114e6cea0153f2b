import { eq } from 'drizzle-orm'
import type { AppendInput } from '../../db/append.js'
import type { Database } from '../../db/client.js'
import { isUniqueViolation } from '../../db/errors.js'
import { findMessagesByClientIds, findMessagesByIds, updateMessage } from '../../db/queries/messages.js'
import { rooms, type MessageRow, type Reactions } from '../../db/schema/index.js'
import { conflict, notFound } from '../errors.js'
import { createGroupCommit, type BatchOutcome } from './group-commit.js'
import { attachQuote, findOriginals, withQuotes, type ChatMessage } from './quotes.js'

export interface ImageFields {
  imageKey: string
  thumbKey: string
  imageWidth: number
  imageHeight: number
}

export interface SendOp {
  kind: 'send'
  senderId: string
  clientId: string | null
  body: string
  image: ImageFields | null
  /** A message of the same room that is not deleted, checked in order with the room's other changes. */
  replyToId: string | null
}

/** `changed` is false when nothing new was written (a retried clientId, an unchanged edit, a repeated delete). */
export interface LogResult {
  message: ChatMessage
  changed: boolean
}

/** A committed event of the room log, in `eventSeq` order per room. */
export interface MessageEvent {
  type: 'message.new' | 'message.updated'
  roomId: string
  message: ChatMessage
}

/**
 * What one kind of change does to a stored message: its next state (the log gives it the next
 * event number), `UNCHANGED` when there is nothing to write (a safe retry), or a refusal.
 */
type ChangeRule<Fields> = (message: MessageRow, fields: Fields, now: Date) => MessageRow | typeof UNCHANGED | Error
export const UNCHANGED = Symbol('unchanged')

/**
 * Every kind of change to an existing message, one entry each. A new kind of room event (a
 * reaction) is a new entry here and its fields in `ChangeFields`; scheduling, event numbers,
 * batching and announcing are the same for all of them.
 */
export const CHANGES: { [K in keyof ChangeFields]: ChangeRule<ChangeFields[K]> } = {
  edit (message, { body }, now) {
    if (message.deletedAt !== null) return conflict('A deleted message cannot be edited')
    if (message.body === body) return UNCHANGED
    return { ...message, body, editedAt: now }
  },
  delete (message, _fields, now) {
    // Deleting twice is a safe retry.
    if (message.deletedAt !== null) return UNCHANGED
    return { ...message, body: '', imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, deletedAt: now, reactions: {} }
  },
  react (message, { userId, emoji }) {
    // Checked first: taking back a reaction one does not have is a no-op even on a deleted message.
    if (reactionOf(message.reactions, userId) === emoji) return UNCHANGED
    if (message.deletedAt !== null) return conflict('A deleted message cannot be reacted to')
    const reactions: Reactions = {}
    for (const [held, userIds] of Object.entries(message.reactions)) {
      const others = userIds.filter((id) => id !== userId)
      if (others.length > 0) reactions[held] = others
    }
    if (emoji !== null) reactions[emoji] = [...reactions[emoji] ?? [], userId]
    return { ...message, reactions }
  }
}

interface ChangeFields {
  edit: { body: string }
  delete: Record<never, never>
  /** `emoji` null takes the member's reaction back. */
  react: { userId: string, emoji: string | null }
}

/** The emoji `userId` reacted with, or null. */
export function reactionOf (reactions: Reactions, userId: string): string | null {
  for (const [emoji, userIds] of Object.entries(reactions)) if (userIds.includes(userId)) return emoji
  return null
}

export type ChangeOp = { [K in keyof ChangeFields]: { kind: K, messageId: string } & ChangeFields[K] }[keyof ChangeFields]
export type EditOp = Extract<ChangeOp, { kind: 'edit' }>
export type DeleteOp = Extract<ChangeOp, { kind: 'delete' }>
export type ReactOp = Extract<ChangeOp, { kind: 'react' }>
export type LogOp = SendOp | ChangeOp

type Outcome = BatchOutcome<LogResult, MessageEvent>

// Large enough to absorb a burst in one commit, small enough to keep one statement reasonable.
const MAX_BATCH = 256

/** The one key a (sender, clientId) pair is known by, in batches and in lookups alike. */
const clientKey = (senderId: string, clientId: string): string => `${senderId}\u0000${clientId}`

/** Why a reply to `original` cannot be sent in `roomId`, if it cannot. */
export function replyRefusal (roomId: string, original: MessageRow | undefined): Error | undefined {
  if (original === undefined || original.roomId !== roomId) return notFound('No such message to reply to')
  if (original.deletedAt !== null) return conflict('A deleted message cannot be replied to')
  return undefined
}

/** What the room log writes through: drizzle, the batched append, and where statements run. */
export type RoomLogDatabase = Pick<Database, 'db' | 'appendMessages' | 'runsOnEventLoop'>

/**
 * The room log: the only writer of a room's messages. Every change goes through its per-room
 * queue (src/chat/group-commit.ts); a batch of new messages is one statement (`appendMessages`),
 * a batch of changes one transaction that locks the room row. Either way the batch takes
 * consecutive event numbers and `last_seq` moves once.
 */
export function createRoomLog (
  database: RoomLogDatabase,
  emit: (event: MessageEvent) => void,
  onCommit: (event: MessageEvent) => void = () => {}
) {
  const { db } = database

  /**
   * New messages. A clientId repeated within the batch is sent once and its repeats answer with
   * that message; one already stored (a retry of an earlier request) answers with what is stored,
   * even if what it replied to has been deleted since. A reply to a message that is not in the
   * room, or is deleted, is refused.
   */
  async function commitSends (roomId: string, ops: SendOp[]): Promise<Outcome> {
    const originals = await findOriginals(db, ops.map((op) => op.replyToId))
    const refusals = ops.map((op) => op.replyToId === null ? undefined : replyRefusal(roomId, originals.get(op.replyToId)))
    const indexOfKey = new Map<string, number>()
    const unique: AppendInput[] = []
    const indexOfOp = ops.map((op, i) => {
      if (refusals[i] !== undefined) return -1
      const key = op.clientId === null ? null : clientKey(op.senderId, op.clientId)
      const known = key === null ? undefined : indexOfKey.get(key)
      if (known !== undefined) return known
      if (key !== null) indexOfKey.set(key, unique.length)
      unique.push({
        senderId: op.senderId,
        clientId: op.clientId,
        body: op.body,
        imageKey: op.image?.imageKey ?? null,
        thumbKey: op.image?.thumbKey ?? null,
        imageWidth: op.image?.imageWidth ?? null,
        imageHeight: op.image?.imageHeight ?? null,
        replyToId: op.replyToId
      })
      return unique.length - 1
    })
    const appended = (await database.appendMessages(roomId, unique)).map((row) => row === undefined ? undefined : attachQuote(row, originals))
    const stored = await storedRetries([
      ...unique.filter((_input, i) => appended[i] === undefined),
      ...ops.filter((op, i) => refusals[i] !== undefined && op.clientId !== null)
    ])
    const answered = new Set<number>()
    const results = ops.map((op, i): LogResult | Error => {
      const index = indexOfOp[i]!
      const retried = op.clientId === null ? undefined : stored.get(clientKey(op.senderId, op.clientId))
      if (index === -1) return retried ?? refusals[i]!
      const first = !answered.has(index)
      answered.add(index)
      const row = appended[index]
      if (row !== undefined) return { message: row, changed: first }
      return retried ?? new Error(`message with clientId ${op.clientId!} is neither new nor stored`)
    })
    const events = appended.flatMap((message): MessageEvent[] => message === undefined ? [] : [{ type: 'message.new', roomId, message }])
    return { results, events }
  }

  /** What is stored under these (sender, clientId) pairs, as unchanged results. */
  async function storedRetries (sent: Array<{ senderId: string, clientId: string | null }>): Promise<Map<string, LogResult>> {
    const bySender = new Map<string, string[]>()
    for (const { senderId, clientId } of sent) if (clientId !== null) bySender.set(senderId, [...bySender.get(senderId) ?? [], clientId])
    const stored = new Map<string, LogResult>()
    for (const [senderId, clientIds] of bySender) {
      for (const message of await withQuotes(db, await findMessagesByClientIds(db, senderId, clientIds))) {
        stored.set(clientKey(senderId, message.clientId!), { message, changed: false })
      }
    }
    return stored
  }

  /** Changes to existing messages, applied in order by their rules, in one transaction. */
  async function commitChanges (roomId: string, ops: ChangeOp[]): Promise<Outcome> {
    return await db.transaction(async (tx) => {
      const [room] = await tx.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)).for('update')
      if (room === undefined) throw new Error(`room ${roomId} does not exist`)
      let seq = room.lastSeq
      const current = new Map((await findMessagesByIds(tx, ops.map((op) => op.messageId))).map((m) => [m.id, m]))
      const changed = new Map<string, MessageRow>()
      const now = new Date()
      const applied = ops.map((op): { message: MessageRow, changed: boolean } | Error => {
        const message = current.get(op.messageId)
        if (message === undefined || message.roomId !== roomId) return new Error(`message ${op.messageId} is not in room ${roomId}`)
        const next = (CHANGES[op.kind] as ChangeRule<typeof op>)(message, op, now)
        if (next instanceof Error) return next
        if (next === UNCHANGED) return { message, changed: false }
        seq += 1
        const numbered = { ...next, eventSeq: seq }
        current.set(message.id, numbered)
        changed.set(message.id, numbered)
        return { message: numbered, changed: true }
      })
      if (seq !== room.lastSeq) {
        // A message changed twice in one batch is written once, in its final state.
        for (const { id, roomId: _r, seq: _s, senderId: _u, clientId: _c, createdAt: _t, replyToId: _p, ...values } of changed.values()) {
          await updateMessage(tx, id, values)
        }
        await tx.update(rooms).set({ lastSeq: seq }).where(eq(rooms.id, roomId))
      }
      // Read after the writes: a reply changed in the batch quotes its original as the batch left it.
      const originals = await findOriginals(tx, applied.map((r) => r instanceof Error ? null : r.message.replyToId))
      const results = applied.map((r): LogResult | Error => r instanceof Error ? r : { message: attachQuote({ ...r.message }, originals), changed: r.changed })
      // Ops were applied in order, so this is event order.
      const events = results.flatMap((r): MessageEvent[] => r instanceof Error || !r.changed ? [] : [{ type: 'message.updated', roomId, message: r.message }])
      return { results, events }
    })
  }

  const queue = createGroupCommit<LogOp, LogResult, MessageEvent>({
    classOf: (op) => op.kind === 'send' ? 'send' : 'change',
    async commit (roomId, ops) {
      if (ops[0]!.kind !== 'send') return await commitChanges(roomId, ops as ChangeOp[])
      try {
        return await commitSends(roomId, ops as SendOp[])
      } catch (err) {
        // Two writers raced on one sender's clientId in different rooms: re-run; the re-read finds it.
        if (isUniqueViolation(err)) return await commitSends(roomId, ops as SendOp[])
        throw err
      }
    },
    onCommit,
    emit,
    maxBatch: MAX_BATCH,
    commitBlocksThread: database.runsOnEventLoop
  })

  return {
    /** Queues a change for the room and resolves once it is committed. */
    append: (roomId: string, op: LogOp): Promise<LogResult> => queue.append(roomId, op),
    /** Resolves when everything queued so far, in every room, is committed (graceful shutdown). */
    drain: queue.drain
  }
}

export type RoomLog = ReturnType<typeof createRoomLog>
