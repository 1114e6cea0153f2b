import { eq } from 'drizzle-orm'
import {
  appendMessages,
  findMessagesByClientIds,
  findMessagesByIds,
  insertMessages,
  updateMessage
} from '../../db/queries/messages.js'
import { rooms, type MessageRow, type NewMessageRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'
import { conflict } from '../errors.js'

export interface ImageFields {
  imageKey: string
  thumbKey: string
  imageWidth: number
  imageHeight: number
}

export interface SendOp { kind: 'send', senderId: string, clientId: string | null, body: string, image: ImageFields | null }
export interface EditOp { kind: 'edit', messageId: string, body: string }
export interface DeleteOp { kind: 'delete', messageId: string }
export type LogOp = SendOp | EditOp | DeleteOp

/** `changed` is false when nothing new was written (a retried clientId, an unchanged edit, a repeated delete). */
export interface LogResult {
  message: MessageRow
  changed: boolean
}

/** A committed event of the room log, in `eventSeq` order per room. */
export interface MessageEvent {
  type: 'message.new' | 'message.updated'
  roomId: string
  message: MessageRow
}

interface Pending {
  op: LogOp
  resolve (result: LogResult): void
  reject (err: unknown): void
}

interface BatchOutcome {
  results: Array<LogResult | Error>
  events: MessageEvent[]
}

class Failure {
  constructor (readonly cause: unknown) {}
}

// Large enough to absorb a burst in one commit, small enough to keep one statement reasonable.
const MAX_BATCH = 256

const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: unknown, cause?: { code?: unknown } }
  return e.code === '23505' || e.cause?.code === '23505'
}

/**
 * The room log's writer, with group commit. Every change to a room goes through its queue;
 * whatever queued while the previous transaction ran is written by the next one: the room row
 * is locked, the batch takes consecutive event numbers, rows are inserted in one statement, and
 * `last_seq` moves once. Events are emitted after commit in event order, so listeners see each
 * room's log exactly as stored. Callers are answered only after their change is committed.
 */
export function createRoomLog (db: Db, emit: (event: MessageEvent) => void, onCommit: (event: MessageEvent) => void = () => {}) {
  const queues = new Map<string, Pending[]>()
  const flushing = new Map<string, Promise<void>>()

  async function flush (roomId: string): Promise<void> {
    const queue = queues.get(roomId)!
    let batch: Pending[] = []
    let committing: Promise<BatchOutcome | Failure> | undefined
    /** Sends the queue's next batch to the database; false when the queue is empty. */
    const startNext = (): boolean => {
      batch = queue.splice(0, MAX_BATCH)
      if (batch.length === 0) return false
      committing = commitQueued(roomId, batch)
      return true
    }
    startNext() // append queued at least one change before scheduling this flush
    for (;;) {
      const outcome = await committing!
      if (outcome instanceof Failure) {
        for (const p of batch) p.reject(outcome.cause)
      } else {
        // Before anyone is answered: whoever reads after an answer must see its change.
        for (const event of outcome.events) onCommit(event)
        outcome.results.forEach((result, i) => {
          if (result instanceof Error) batch[i]!.reject(result)
          else batch[i]!.resolve(result)
        })
        // Callers hear of their commit first (a WebSocket sender gets its ack before the fan-out).
        await new Promise((resolve) => setImmediate(resolve))
      }
      // The next batch goes to the database before this one is announced, so its commit overlaps
      // the fan-out; its results are handled only after these events are out, so listeners still
      // see every event in order.
      const started = startNext()
      if (!(outcome instanceof Failure)) for (const event of outcome.events) emit(event)
      if (!started && !startNext()) break
    }
    queues.delete(roomId)
    flushing.delete(roomId)
  }

  /** Commits a batch; resolves with its outcome or its Failure, never rejects (it may wait a turn). */
  function commitQueued (roomId: string, batch: Pending[]): Promise<BatchOutcome | Failure> {
    const ops = batch.map((p) => p.op)
    return commitBatch(roomId, ops)
      .catch((err: unknown) => {
        // Two writers raced on one sender's clientId in different rooms: re-run; the re-read finds it.
        if (isUniqueViolation(err)) return commitBatch(roomId, ops)
        throw err
      })
      .catch((err: unknown) => new Failure(err))
  }

  async function commitBatch (roomId: string, ops: LogOp[]): Promise<BatchOutcome> {
    if (ops.every((op) => op.kind === 'send')) return await commitSends(roomId, ops as SendOp[])
    return await db.transaction(async (tx) => {
      const [room] = await tx.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)).for('update')
      if (room === undefined) throw new Error(`room ${roomId} does not exist`)
      let seq = room.lastSeq

      const byClientId = await existingByClientId(tx, ops)
      const current = new Map((await findMessagesByIds(tx, ops.flatMap((op) => op.kind === 'send' ? [] : [op.messageId])))
        .map((m) => [m.id, m]))

      // Per op: a final result, or the seq of the row this batch inserts for it.
      type Planned = LogResult | Error | { insertSeq: number, duplicate: boolean }
      const planned: Planned[] = []
      const inserts: NewMessageRow[] = []
      const changedRows = new Map<string, MessageRow>()
      const now = new Date()

      for (const op of ops) {
        if (op.kind === 'send') {
          const key = op.clientId === null ? null : `${op.senderId}\u0000${op.clientId}`
          const existing = key === null ? undefined : byClientId.get(key)
          if (typeof existing === 'number') planned.push({ insertSeq: existing, duplicate: true })
          else if (existing !== undefined) planned.push({ message: existing, changed: false })
          else {
            seq += 1
            if (key !== null) byClientId.set(key, seq)
            planned.push({ insertSeq: seq, duplicate: false })
            inserts.push({ roomId, seq, eventSeq: seq, senderId: op.senderId, clientId: op.clientId, body: op.body, createdAt: now, ...op.image })
          }
          continue
        }
        const message = current.get(op.messageId)
        if (message === undefined || message.roomId !== roomId) {
          planned.push(new Error(`message ${op.messageId} is not in room ${roomId}`))
        } else if (message.deletedAt !== null) {
          // Deleting twice is a safe retry; editing a tombstone is a conflict.
          planned.push(op.kind === 'delete' ? { message, changed: false } : conflict('A deleted message cannot be edited'))
        } else if (op.kind === 'edit' && message.body === op.body) {
          planned.push({ message, changed: false })
        } else {
          seq += 1
          const next: MessageRow = op.kind === 'edit'
            ? { ...message, body: op.body, editedAt: now, eventSeq: seq }
            : { ...message, body: '', imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, deletedAt: now, eventSeq: seq }
          current.set(message.id, next)
          changedRows.set(message.id, next)
          planned.push({ message: next, changed: true })
        }
      }

      const insertedBySeq = new Map<number, MessageRow>()
      if (seq !== room.lastSeq) {
        for (const row of inserts.length > 0 ? await insertMessages(tx, inserts) : []) insertedBySeq.set(row.seq, row)
        // A message changed twice in one batch is written once, in its final state.
        for (const { id, roomId: _r, seq: _s, senderId: _u, clientId: _c, createdAt: _t, ...values } of changedRows.values()) {
          await updateMessage(tx, id, values)
        }
        await tx.update(rooms).set({ lastSeq: seq }).where(eq(rooms.id, roomId))
      }

      const results = planned.map((p): LogResult | Error =>
        p instanceof Error || !('insertSeq' in p) ? p : { message: insertedBySeq.get(p.insertSeq)!, changed: !p.duplicate })
      // Ops were planned in order, so this is event order.
      const events: MessageEvent[] = []
      results.forEach((r, i) => {
        if (r instanceof Error || !r.changed) return
        events.push({ type: ops[i]!.kind === 'send' ? 'message.new' : 'message.updated', roomId, message: r.message })
      })
      return { results, events }
    })
  }

  /**
   * The common case — a batch of new messages — in a single statement (appendMessages): no
   * BEGIN/COMMIT round trips, which is most of a message's latency and of the database's work.
   */
  async function commitSends (roomId: string, ops: SendOp[]): Promise<{ results: LogResult[], events: MessageEvent[] }> {
    const keyOf = (op: SendOp): string | null => op.clientId === null ? null : `${op.senderId}\u0000${op.clientId}`
    // A clientId repeated within the batch is sent once; its repeats answer with that message.
    const firstOf = new Map<string, number>()
    const indexOf = new Map<SendOp, number>()
    const unique: SendOp[] = []
    for (const op of ops) {
      const key = keyOf(op)
      if (key !== null && firstOf.has(key)) continue
      if (key !== null) firstOf.set(key, unique.length)
      indexOf.set(op, unique.length)
      unique.push(op)
    }
    // Per unique input: its new row, or undefined when it was already stored under its clientId.
    const rowOfUnique = await appendMessages(db, roomId, unique.map((op) => ({
      senderId: op.senderId,
      clientId: op.clientId,
      body: op.body,
      imageKey: op.image?.imageKey ?? null,
      thumbKey: op.image?.thumbKey ?? null,
      imageWidth: op.image?.imageWidth ?? null,
      imageHeight: op.image?.imageHeight ?? null
    })))
    // Retries of messages stored by earlier requests: answer with what is stored.
    const stored = new Map<string, MessageRow>()
    const missing = unique.filter((op, i) => rowOfUnique[i] === undefined)
    for (const [senderId, clientIds] of groupBySender(missing.map((op) => keyOf(op)!))) {
      for (const row of await findMessagesByClientIds(db, senderId, clientIds)) stored.set(`${senderId}\u0000${row.clientId!}`, row)
    }
    const seen = new Set<string>()
    const results = ops.map((op): LogResult => {
      const key = keyOf(op)
      const index = key === null ? indexOf.get(op)! : firstOf.get(key)!
      const row = rowOfUnique[index]
      const repeat = key !== null && seen.has(key)
      if (key !== null) seen.add(key)
      if (row !== undefined) return { message: row, changed: !repeat }
      const original = stored.get(key!)
      if (original === undefined) throw new Error(`message with clientId ${op.clientId!} is neither new nor stored`)
      return { message: original, changed: false }
    })
    const events = rowOfUnique.flatMap((message): MessageEvent[] => message === undefined ? [] : [{ type: 'message.new', roomId, message }])
    return { results, events }
  }

  /** Rows already stored under a clientId of this batch's senders (numbers: seqs inserted by this batch). */
  async function existingByClientId (tx: Db, ops: LogOp[]): Promise<Map<string, MessageRow | number>> {
    const map = new Map<string, MessageRow | number>()
    const bySender = new Map<string, string[]>()
    for (const op of ops) {
      if (op.kind !== 'send' || op.clientId === null) continue
      const list = bySender.get(op.senderId) ?? []
      list.push(op.clientId)
      bySender.set(op.senderId, list)
    }
    for (const [senderId, clientIds] of bySender) {
      for (const row of await findMessagesByClientIds(tx, senderId, clientIds)) {
        map.set(`${senderId}\u0000${row.clientId!}`, row)
      }
    }
    return map
  }

  return {
    /** Queues a change for the room and resolves once it is committed. */
    append (roomId: string, op: LogOp): Promise<LogResult> {
      return new Promise<LogResult>((resolve, reject) => {
        let queue = queues.get(roomId)
        if (queue === undefined) {
          queue = []
          queues.set(roomId, queue)
        }
        queue.push({ op, resolve, reject })
        // The flush starts once this turn's I/O callbacks have run: sends that arrived together
        // (several sockets readable at once) go into one commit instead of queueing behind each other.
        if (!flushing.has(roomId)) flushing.set(roomId, new Promise<void>((resolve) => setImmediate(resolve)).then(() => flush(roomId)))
      })
    },

    /** Resolves when everything queued so far, in every room, is committed (graceful shutdown). */
    async drain (): Promise<void> {
      while (flushing.size > 0) await Promise.all(flushing.values())
    }
  }
}

export type RoomLog = ReturnType<typeof createRoomLog>

function groupBySender (keys: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const key of keys) {
    const [senderId, clientId] = key.split('\u0000') as [string, string]
    groups.set(senderId, [...groups.get(senderId) ?? [], clientId])
  }
  return groups
}
