import { rateLimited } from '../errors.js'

export interface ReadBudgetOptions {
  /** Bytes of history a member may read per second, sustained. */
  bytesPerSecond: number
  /** How far a member may go into debt before reads wait: one large page, or a burst of small ones. */
  burst: number
  /** Reads that may wait per member; past that, `429`. */
  maxWaiting: number
  now?: () => number
}

interface Member { tokens: number, at: number, chain: Promise<void>, waiting: number }

/**
 * Fairness between family members: what one member reads of the history (syncs and pages over
 * HTTP and WebSocket alike) is paid for in bytes from a bucket of their own. A member within it is
 * served at once (one read at a time); one reading faster waits until the bucket refills; a member
 * who keeps asking is refused. Every request is within the per-socket limits, yet four sockets of
 * one member syncing megabyte pages would otherwise take the whole event loop from everyone else.
 */
export function createReadBudget (options: ReadBudgetOptions) {
  const now = options.now ?? Date.now
  const perMs = options.bytesPerSecond / 1000
  const members = new Map<string, Member>()

  const refill = (member: Member): void => {
    const at = now()
    member.tokens = Math.min(options.burst, member.tokens + (at - member.at) * perMs)
    member.at = at
  }

  return {
    /** Runs `read` when `userId` may read again; `read` answers how many bytes it served. */
    async run<T> (userId: string, read: () => Promise<{ result: T, bytes: number }>): Promise<T> {
      let member = members.get(userId)
      if (member === undefined) {
        member = { tokens: options.burst, at: now(), chain: Promise.resolve(), waiting: 0 }
        members.set(userId, member)
      }
      const m = member
      if (m.waiting >= options.maxWaiting) throw rateLimited('Reading history too fast; try again in a moment')
      m.waiting++
      const turn = m.chain.then(async () => {
        try {
          refill(m)
          // Each read in its own turn of the event loop: a queue of reads answered from memory or
          // from PGlite would otherwise run back to back in microtasks, and /health would wait.
          if (m.tokens <= 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(-m.tokens / perMs) + 1))
          else await new Promise((resolve) => setImmediate(resolve))
          const { result, bytes } = await read()
          refill(m)
          m.tokens -= bytes
          return result
        } finally {
          m.waiting--
        }
      })
      m.chain = turn.then(() => {}, () => {})
      return await turn
    }
  }
}

export type ReadBudget = ReturnType<typeof createReadBudget>
