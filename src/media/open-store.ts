import { join } from 'node:path'
import { createLocalMediaStore } from './local-store.js'
import type { MediaStore } from './media-store.js'
import { createUrlSigner, type UrlSigner } from './url-signer.js'

export interface MediaStoreOptions {
  dataDir: string
  /** Signs local media URLs. */
  secret: string
  cloudinaryUrl: string | null
  cloudinaryTimeoutMs?: number
}

export interface OpenedMediaStore {
  store: MediaStore
  signer: UrlSigner
  /** The file of a local media key, or null for anything that is not one (and in Cloudinary mode). */
  localPath (key: string): string | null
}

/** Local disk under DATA_DIR/media, or Cloudinary when configured; the server and bin/ open it the same way. */
export async function openMediaStore (opts: MediaStoreOptions): Promise<OpenedMediaStore> {
  const signer = createUrlSigner(opts.secret)
  const local = createLocalMediaStore(localMediaDir(opts.dataDir), signer)
  // The Cloudinary SDK (about 19 MiB and a quarter of a second to load) only when it is used.
  const store: MediaStore = opts.cloudinaryUrl === null
    ? local
    : (await import('./cloudinary-store.js')).createCloudinaryStore({
        url: opts.cloudinaryUrl,
        ...(opts.cloudinaryTimeoutMs === undefined ? {} : { timeoutMs: opts.cloudinaryTimeoutMs })
      })
  return { store, signer, localPath: (key) => store.kind === 'local' ? local.pathOf(key) : null }
}

export const localMediaDir = (dataDir: string): string => join(dataDir, 'media')
