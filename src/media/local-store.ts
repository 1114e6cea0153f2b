import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MediaStore, StoredImage } from './media-store.js'
import type { UrlSigner } from './url-signer.js'

const EXTENSION = { jpeg: 'jpg', webp: 'webp', png: 'png' } as const
/** Keys are generated here and nothing else is served: no path can escape the media folder. */
export const LOCAL_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:_t)?\.(?:jpg|webp|png)$/

export function createLocalMediaStore (dir: string, signer: UrlSigner): MediaStore & { pathOf (key: string): string | null } {
  // Two hex characters of sharding keep any one directory small after years of photos.
  const pathOf = (key: string): string | null => LOCAL_KEY.test(key) ? join(dir, key.slice(0, 2), key) : null

  async function write (key: string, bytes: Buffer): Promise<void> {
    const path = pathOf(key)!
    await mkdir(join(dir, key.slice(0, 2)), { recursive: true, mode: 0o700 })
    // Write then rename: a crash never leaves a half-written photo under its final name.
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, bytes, { mode: 0o600 })
    await rename(tmp, path)
  }

  return {
    kind: 'local',
    pathOf,

    async put (image): Promise<StoredImage> {
      const id = randomUUID()
      const ext = EXTENSION[image.format]
      const imageKey = `${id}.${ext}`
      const thumbKey = `${id}_t.${ext}`
      await write(imageKey, image.full)
      try {
        await write(thumbKey, image.thumb)
      } catch (err) {
        await unlink(pathOf(imageKey)!).catch(() => {})
        throw err
      }
      return { imageKey, thumbKey, imageWidth: image.width, imageHeight: image.height }
    },

    async remove (keys): Promise<void> {
      await Promise.all(keys.map(async (key) => {
        const path = pathOf(key)
        if (path === null) return
        await unlink(path).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err
        })
      }))
    },

    async read (key) {
      const path = pathOf(key)
      if (path === null) return null
      try {
        return { size: (await stat(path)).size, body: createReadStream(path) }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw err
      }
    },

    urls ({ imageKey, thumbKey }) {
      return { url: signer.sign(imageKey), thumbUrl: signer.sign(thumbKey) }
    }
  }
}
