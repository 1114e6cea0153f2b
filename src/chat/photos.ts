import type { ImagePipeline } from '../media/image-pipeline.js'
import type { MediaStore, StoredImage } from '../media/media-store.js'
import type { LogResult } from './room-log.js'

/** Where photos are made safe and kept. */
export interface ChatMedia {
  store: MediaStore
  pipeline: ImagePipeline
}

/**
 * A photo message once membership and retries are settled: the photo is made safe
 * (src/media/image-pipeline.ts), stored, and sent; its files go again if the send fails or a
 * concurrent retry with the same clientId won.
 */
export async function storeAndSend (
  media: ChatMedia,
  file: Buffer,
  send: (image: StoredImage) => Promise<LogResult>,
  discard: (image: StoredImage) => Promise<void>
): Promise<LogResult> {
  const stored = await media.store.put(await media.pipeline.process(file))
  let result: LogResult
  try {
    result = await send(stored)
  } catch (err) {
    await discard(stored)
    throw err
  }
  if (!result.changed) await discard(stored)
  return result
}
