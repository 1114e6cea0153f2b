import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Fanout, FanoutMessage } from './fanout.js'

export const CHANNEL = 'family-chat:fanout'

export interface RedisFanoutOptions {
  url: string
  log: { warn (obj: object, msg: string): void, info (obj: object, msg: string): void }
  /** How long a gap in a room's events is waited on before delivering what came after it. */
  reorderWindowMs?: number
  /**
   * Each room's last event number, read once subscribed. Without it, the first event this instance
   * receives for a room is taken as that room's start, and an earlier event that crossed it on the
   * way (committed first on another instance, published later) is dropped as old.
   */
  baselines?: () => Promise<Map<string, number>>
}

interface Wire {
  origin: string
  message: FanoutMessage
}

/**
 * Fan-out across instances over Redis pub/sub. Every instance, the publisher included, receives
 * each message from Redis, so all deliver the same way. Events of one room committed on different
 * instances can cross on the way: a small per-room buffer puts them back in `eventSeq` order and
 * drops duplicates; a gap that does not fill within the window is skipped (clients `sync`).
 *
 * Publishing while Redis is down fails fast instead of queueing stale events; the subscriber
 * reconnects and resubscribes by itself. The database stays the source of truth throughout.
 */
export function createRedisFanout (options: RedisFanoutOptions) {
  const instanceId = randomUUID()
  const windowMs = options.reorderWindowMs ?? 250
  const retryStrategy = (times: number) => Math.min(times * 100, 2000)
  const pub = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: false })
  const sub = new Redis(options.url, { retryStrategy, maxRetriesPerRequest: null })
  const handlers: Array<(message: FanoutMessage) => void> = []
  let healthy = false

  // Per room: the last eventSeq delivered and events waiting for a gap to fill.
  const rooms = new Map<string, { last: number, waiting: Map<number, FanoutMessage>, timer?: NodeJS.Timeout }>()
  // With baselines, a room this instance has no state for was created after it subscribed: it has
  // seen every event of that room, from the first.
  let knowsEveryRoom = false

  const deliver = (message: FanoutMessage): void => {
    for (const handler of handlers) handler(message)
  }

  function flushRoom (roomId: string, force: boolean): void {
    const state = rooms.get(roomId)!
    for (;;) {
      const next = state.waiting.get(state.last + 1)
      if (next !== undefined) {
        state.waiting.delete(state.last + 1)
        state.last += 1
        deliver(next)
        continue
      }
      if (!force || state.waiting.size === 0) break
      // The gap did not fill in time: move past it; receivers notice the jump and sync.
      state.last = Math.min(...state.waiting.keys()) - 1
    }
    if (state.waiting.size === 0 && state.timer !== undefined) {
      clearTimeout(state.timer)
      delete state.timer
    } else if (state.waiting.size > 0 && state.timer === undefined) {
      state.timer = setTimeout(() => {
        delete state.timer
        flushRoom(roomId, true)
      }, windowMs)
      state.timer.unref()
    }
  }

  function receive (message: FanoutMessage): void {
    if (message.kind !== 'room' || message.seq === undefined) return deliver(message)
    let state = rooms.get(message.roomId)
    if (state === undefined) {
      state = { last: knowsEveryRoom ? 0 : message.seq - 1, waiting: new Map() }
      rooms.set(message.roomId, state)
    }
    if (message.seq <= state.last || state.waiting.has(message.seq)) return
    state.waiting.set(message.seq, message)
    flushRoom(message.roomId, false)
  }

  sub.on('message', (_channel: string, payload: string) => {
    let wire: Wire
    try {
      wire = JSON.parse(payload) as Wire
    } catch {
      return
    }
    receive(wire.message)
  })
  sub.on('ready', () => {
    healthy = true
    options.log.info({ instanceId }, 'redis fan-out connected')
  })
  sub.on('end', () => { healthy = false })
  sub.on('close', () => { healthy = false })
  sub.on('error', (err: Error) => {
    if (healthy) options.log.warn({ err: err.message }, 'redis fan-out lost its connection; serving local clients only')
    healthy = false
  })
  pub.on('error', () => {})

  const fanout: Fanout & { readonly instanceId: string, isHealthy (): boolean, ready (): Promise<void>, redis: Redis } = {
    instanceId,
    redis: pub,

    publish (message) {
      // Redis is down: the event is committed; this instance still serves its own sockets, in order.
      pub.publish(CHANNEL, JSON.stringify({ origin: instanceId, message } satisfies Wire)).catch(() => receive(message))
    },

    subscribe (handler) {
      handlers.push(handler)
    },

    isHealthy: () => healthy && pub.status === 'ready',

    async ready () {
      await sub.subscribe(CHANNEL)
      if (options.baselines !== undefined) {
        // Read after subscribing: whatever is committed from here on reaches this instance.
        for (const [roomId, last] of await options.baselines()) {
          const state = rooms.get(roomId)
          if (state === undefined) rooms.set(roomId, { last, waiting: new Map() })
          else {
            state.last = Math.max(state.last, last)
            for (const seq of state.waiting.keys()) if (seq <= state.last) state.waiting.delete(seq)
            flushRoom(roomId, false)
          }
        }
        knowsEveryRoom = true
      }
      healthy = true
    },

    async close () {
      for (const state of rooms.values()) clearTimeout(state.timer)
      sub.disconnect()
      pub.disconnect()
    }
  }

  return fanout
}

export type RedisFanout = ReturnType<typeof createRedisFanout>
