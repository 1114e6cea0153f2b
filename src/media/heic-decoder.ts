import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { PROJECT_ROOT } from '../../db/paths.js'

export interface RawImage {
  width: number
  height: number
  /** RGBA, 8 bits per channel. */
  pixels: Uint8Array
}

type Reply = { id: number, error: string } | { id: number, tooLarge: true } | ({ id: number } & RawImage)

export class HeicTooLargeError extends Error {}
/** libheif read the file and refused it: the upload's fault. */
export class HeicUnreadableError extends Error {}
/** The decoder itself failed (it could not start, or died): the server's fault, never the file's. */
export class HeicDecoderError extends Error {}

// Always the compiled worker the build keeps fresh, wherever this module runs from: the sources
// under tsx (a worker thread does not inherit the main thread's TypeScript loader), dist/src/, or
// the server's bundle.
const WORKER_URL = pathToFileURL(join(PROJECT_ROOT, 'dist', 'src', 'media', 'heic-worker.js'))

/**
 * One worker thread running libheif (WASM), started on the first HEIC and kept; requests are
 * matched to replies by id. If the worker dies, pending decodes fail and the next one starts a
 * fresh worker.
 */
export function createHeicDecoder (workerUrl: URL = WORKER_URL) {
  let worker: Worker | undefined
  let nextId = 0
  const pending = new Map<number, { resolve (image: RawImage): void, reject (err: Error): void }>()

  function start (): Worker {
    const w = new Worker(workerUrl)
    w.unref()
    w.on('message', (reply: Reply) => {
      const waiter = pending.get(reply.id)
      if (waiter === undefined) return
      pending.delete(reply.id)
      if ('error' in reply) waiter.reject(new HeicUnreadableError(reply.error))
      else if ('tooLarge' in reply) waiter.reject(new HeicTooLargeError('too many pixels'))
      else waiter.resolve({ width: reply.width, height: reply.height, pixels: reply.pixels })
    })
    const fail = (cause: Error): void => {
      if (worker === w) worker = undefined
      const err = new HeicDecoderError(`the HEIC decoder failed: ${cause.message}`, { cause })
      for (const waiter of pending.values()) waiter.reject(err)
      pending.clear()
    }
    w.on('error', fail)
    w.on('exit', (code) => fail(new Error(`its worker exited with code ${code}`)))
    return w
  }

  return {
    decode (bytes: Buffer, maxPixels: number): Promise<RawImage> {
      worker ??= start()
      const id = ++nextId
      const copy = new Uint8Array(bytes)
      return new Promise<RawImage>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        worker!.postMessage({ id, bytes: copy, maxPixels }, [copy.buffer])
      })
    },
    async close (): Promise<void> {
      const w = worker
      worker = undefined
      if (w !== undefined) await w.terminate()
    }
  }
}

export type HeicDecoder = ReturnType<typeof createHeicDecoder>
