import { rateLimited } from './errors.js'

/**
 * Bounds how many expensive tasks (photo decodes, password hashes) run at once and how many may
 * wait; past that, the request is refused (`429`, with `busyMessage`) rather than queued without end.
 */
export function createSemaphore (concurrency: number, maxWaiting: number, busyMessage = 'The server is busy; try again in a moment') {
  let running = 0
  const waiting: Array<() => void> = []
  return async function run<T> (task: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (waiting.length >= maxWaiting) throw rateLimited(busyMessage)
      await new Promise<void>((resolve) => waiting.push(resolve))
    } else {
      running++
    }
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next !== undefined) next()
      else running--
    }
  }
}
