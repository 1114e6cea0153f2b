import { rateLimited } from '../errors.js'

/**
 * Bounds how many decodes run at once (each can hold hundreds of MB of pixels) and how many may
 * wait; past that, an upload is refused (`429`) rather than queued without end.
 */
export function createSemaphore (concurrency: number, maxWaiting: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async function run<T> (task: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (waiting.length >= maxWaiting) throw rateLimited('The server is busy processing photos; try again in a moment')
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
