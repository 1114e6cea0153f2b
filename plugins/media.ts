import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import { join } from 'node:path'
import { createCloudinaryStore } from '../src/media/cloudinary-store.js'
import { createImagePipeline, type ImagePipeline } from '../src/media/image-pipeline.js'
import { createLocalMediaStore } from '../src/media/local-store.js'
import type { MediaStore } from '../src/media/media-store.js'
import { createUrlSigner, type UrlSigner } from '../src/media/url-signer.js'

export interface MediaPluginOptions {
  dataDir: string
  secret: string
  cloudinaryUrl: string | null
  /** Tests shorten it to exercise a hanging Cloudinary. */
  cloudinaryTimeoutMs?: number
  heicWorkerUrl?: URL
}

export default fp<MediaPluginOptions>(async (app, opts) => {
  const signer = createUrlSigner(opts.secret)
  const local = createLocalMediaStore(join(opts.dataDir, 'media'), signer)
  const store: MediaStore = opts.cloudinaryUrl === null
    ? local
    : createCloudinaryStore({ url: opts.cloudinaryUrl, ...(opts.cloudinaryTimeoutMs === undefined ? {} : { timeoutMs: opts.cloudinaryTimeoutMs }) })
  const pipeline = createImagePipeline(opts.heicWorkerUrl === undefined ? {} : { heicWorkerUrl: opts.heicWorkerUrl })

  app.decorate('media', store)
  app.decorate('mediaSigner', signer)
  app.decorate('imagePipeline', pipeline)
  // Only local keys map to files; in Cloudinary mode nothing is served from disk.
  app.decorate('localMediaPath', (key: string) => store.kind === 'local' ? local.pathOf(key) : null)
  app.decorate('removeMedia', async (image: { imageKey: string | null, thumbKey: string | null }, log: FastifyBaseLogger) => {
    const keys = [image.imageKey, image.thumbKey].filter((k): k is string => k !== null)
    if (keys.length === 0) return
    // The tombstone is committed; a file that fails to go is logged for the operator, not the client.
    await store.remove(keys).catch((err: unknown) => log.error({ err, keys }, 'could not remove the media of a deleted message'))
  })
  app.addHook('onClose', () => pipeline.close())
}, { name: 'media' })

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaStore
    mediaSigner: UrlSigner
    imagePipeline: ImagePipeline
    /** The file of a local media key, or null for anything that is not one. */
    localMediaPath (key: string): string | null
    /** Deletes a deleted message's files, in whichever store holds them. */
    removeMedia (image: { imageKey: string | null, thumbKey: string | null }, log: FastifyBaseLogger): Promise<void>
  }
}
