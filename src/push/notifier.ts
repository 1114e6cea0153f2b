import { setImmediate as nextTurn } from 'node:timers/promises'
import { findDisplayNames, findPushRoom, listPushTargets, totalUnread, type PushRoom } from '../../db/queries/push.js'
import type { PushSubscriptionRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'
import { messagePayload, type NewMessageFacts, type PushPayload } from './payload.js'
import { throttledWarning } from './work-queue.js'

/**
 * How long a room's recipients and heading, and a sender's name, are trusted without asking the
 * database again. Changes made through this instance (a subscription, a mute, a revocation) are
 * forgotten at once; one made through another instance shows within this time.
 */
export const NOTIFIER_CACHE_MS = 5000

interface RoomFacts { targets: PushSubscriptionRow[], room: PushRoom | undefined, at: number }

export interface NotifierOptions {
  db: Db
  /** Which of the sessions have a socket in the foreground on any instance. */
  inForeground: (sessionIds: readonly string[]) => Promise<Set<string>>
  push: (subscription: PushSubscriptionRow, payload: PushPayload, urgency: 'high' | 'normal') => void
  log: { warn (obj: object, msg: string): void, error (obj: object, msg: string): void }
  /** Rooms × senders whose newest message may wait to be looked up; past that, new ones are dropped. */
  limit?: number
}

/** Rounds start at most this often: a burst of messages costs the database a few queries per room per round. */
export const ROUND_MS = 250
/**
 * After a round, the notifier waits this many times as long as the round took: its lookups get at
 * most a twentieth of the database's time when it is busy, and the room log the rest.
 */
const YIELD_FACTOR = 19

/**
 * Works out who to push for new messages, in rounds: every room with new messages since the last
 * round is looked up once (who is subscribed and away, the senders' names, the unread counts;
 * the first two remembered for a while), so a busy room costs a query per round, not per message,
 * and the room log's commits never queue behind a pile of lookups. Each device gets one push per
 * room per round, for the newest message it did not send: messages that arrive together would
 * replace each other's notification anyway (one per room), and a phone is not made to buzz two
 * hundred times a second. So only each sender's newest message waits for the round.
 */
export function createNotifier (options: NotifierOptions) {
  const { db, log } = options
  const limit = options.limit ?? 10_000
  // Per room, each sender's newest message: the newest one a device did not send is what it is shown.
  const pending = new Map<string, Map<string, NewMessageFacts>>()
  const warnBehind = throttledWarning(log, 'too many messages waiting to be notified; their pushes are dropped')
  const idleWaiters: Array<() => void> = []
  let waiting = 0
  let draining = false
  let closed = false
  const roomFacts = new Map<string, RoomFacts>()
  const names = new Map<string, { name: string, at: number }>()
  /** The earliest time the next round may start. */
  let nextRoundAt = 0
  let wakeEarly = (): void => {}

  async function factsOf (roomId: string): Promise<RoomFacts> {
    const known = roomFacts.get(roomId)
    if (known !== undefined && Date.now() - known.at < NOTIFIER_CACHE_MS) return known
    const at = Date.now()
    const [targets, room] = await Promise.all([listPushTargets(db, roomId), findPushRoom(db, roomId)])
    const facts = { targets, room, at }
    roomFacts.set(roomId, facts)
    return facts
  }

  async function namesOf (userIds: string[]): Promise<Map<string, string>> {
    const now = Date.now()
    const missing = userIds.filter((id) => { const known = names.get(id); return known === undefined || now - known.at >= NOTIFIER_CACHE_MS })
    for (const [id, name] of await findDisplayNames(db, missing)) names.set(id, { name, at: now })
    return new Map(userIds.map((id) => [id, names.get(id)?.name ?? 'Someone']))
  }

  async function notifyRoom (roomId: string, bySender: Map<string, NewMessageFacts>): Promise<void> {
    const { targets, room: heading } = await factsOf(roomId)
    if (targets.length === 0 || heading === undefined) return
    const foreground = await options.inForeground(targets.map((t) => t.sessionId))
    const away = targets.filter((t) => !foreground.has(t.sessionId))
    if (away.length === 0) return
    const [senderNames, unread] = await Promise.all([
      namesOf([...bySender.keys()]),
      totalUnread(db, [...new Set(away.map((t) => t.userId))])
    ])
    const room = { ...heading, senderNames }
    const urgency = room.kind === 'direct' ? 'high' : 'normal'
    for (const target of away) {
      let newest: NewMessageFacts | undefined
      for (const m of bySender.values()) if (m.senderId !== target.userId && (newest === undefined || m.seq > newest.seq)) newest = m
      if (newest !== undefined) options.push(target, messagePayload(newest, room, target.preview, unread.get(target.userId) ?? 0), urgency)
    }
  }

  /** A wait that close() cuts short. */
  function pause (ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      wakeEarly = () => { clearTimeout(timer); resolve() }
    })
  }

  async function drain (): Promise<void> {
    // Never in the tick that announced the message: its deliveries are written at the end of that
    // tick, and on PGlite the lookups run on this thread and would hold them up.
    await nextTurn()
    while (pending.size > 0) {
      // Whether the messages came during the last round or after it.
      if (nextRoundAt > Date.now()) await pause(nextRoundAt - Date.now())
      const startedAt = Date.now()
      const round = [...pending]
      pending.clear()
      waiting = 0
      for (const [roomId, messages] of round) {
        await notifyRoom(roomId, messages).catch((err: unknown) => log.error({ err, roomId }, 'could not work out who to notify'))
      }
      const took = Date.now() - startedAt
      nextRoundAt = Date.now() + Math.max(ROUND_MS - took, took * YIELD_FACTOR)
    }
    draining = false
    for (const resolve of idleWaiters.splice(0)) resolve()
  }

  return {
    /** A new message was committed here. */
    add (message: NewMessageFacts): void {
      if (closed) return
      let room = pending.get(message.roomId)
      if (room?.has(message.senderId) !== true) {
        if (waiting >= limit) return warnBehind({ roomId: message.roomId })
        waiting++
      }
      if (room === undefined) pending.set(message.roomId, room = new Map())
      room.set(message.senderId, message)
      if (draining) return
      draining = true
      drain().catch(() => {})
    },

    /** Something changed who a room's pushes go to (a subscription, a mute, a revocation): ask the database again. */
    forget (roomId?: string): void {
      if (roomId === undefined) roomFacts.clear()
      else roomFacts.delete(roomId)
    },

    /** Resolves once every message so far has been looked up (its pushes queued). */
    idle (): Promise<void> {
      if (!draining && pending.size === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },

    /** Forgets what waits; the round under way finishes. */
    async close (): Promise<void> {
      closed = true
      pending.clear()
      waiting = 0
      wakeEarly()
      if (draining) await new Promise<void>((resolve) => idleWaiters.push(resolve))
    }
  }
}
