/**
 * Runs tasks at most `concurrency` at a time with at most `limit` waiting; `push` answers false
 * (and drops the task) when the queue is full. For work nobody awaits, such as notifications:
 * a slow consumer sheds load instead of growing memory without end.
 */
export function createWorkQueue (options: { concurrency: number, limit: number, onError: (err: unknown) => void }) {
  const waiting: Array<() => Promise<void>> = []
  const idleWaiters: Array<() => void> = []
  let running = 0

  function next (): void {
    while (running < options.concurrency && waiting.length > 0) {
      const task = waiting.shift()!
      running++
      task().catch(options.onError).finally(() => {
        running--
        next()
      })
    }
    if (running === 0 && waiting.length === 0) for (const resolve of idleWaiters.splice(0)) resolve()
  }

  return {
    push (task: () => Promise<void>): boolean {
      if (waiting.length >= options.limit) return false
      waiting.push(task)
      next()
      return true
    },

    /** Resolves when nothing runs or waits. */
    idle (): Promise<void> {
      if (running === 0 && waiting.length === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },

    /** Forgets what waits (shutdown); what runs finishes. */
    clear (): void {
      waiting.length = 0
      next()
    },

    get size (): number {
      return running + waiting.length
    }
  }
}

export type WorkQueue = ReturnType<typeof createWorkQueue>

/**
 * A warning for something that can happen thousands of times a second under load (a full queue):
 * logged at most once per `everyMs`, with how many times it happened since.
 */
export function throttledWarning (log: { warn (obj: object, msg: string): void }, msg: string, everyMs = 10_000) {
  let lastAt = -Infinity
  let since = 0
  return (details: object): void => {
    since++
    const now = Date.now()
    if (now - lastAt < everyMs) return
    log.warn({ ...details, times: since }, msg)
    lastAt = now
    since = 0
  }
}
