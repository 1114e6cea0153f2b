import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import { join } from 'node:path'
import { createLocalMediaStore } from '../src/media/local-store.js'
import type { MediaStore } from '../src/media/media-store.js'
import { createUrlSigner, type UrlSigner } from '../src/media/url-signer.js'

export interface MediaPluginOptions {
  dataDir: string
  secret: string
}

export default fp<MediaPluginOptions>(async (app, opts) => {
  const signer = createUrlSigner(opts.secret)
  const store = createLocalMediaStore(join(opts.dataDir, 'media'), signer)
  app.decorate('media', store)
  app.decorate('mediaSigner', signer)
  app.decorate('localMediaPath', store.pathOf)
  app.decorate('removeMedia', async (image: { imageKey: string | null, thumbKey: string | null }, log: FastifyBaseLogger) => {
    const keys = [image.imageKey, image.thumbKey].filter((k): k is string => k !== null)
    if (keys.length === 0) return
    // The tombstone is committed; a file that fails to go is logged for the operator, not the client.
    await store.remove(keys).catch((err: unknown) => log.error({ err, keys }, 'could not remove media of a deleted message'))
  })
}, { name: 'media' })

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaStore
    mediaSigner: UrlSigner
    /** The file of a local media key, or null for anything that is not one. */
    localMediaPath (key: string): string | null
    /** Deletes a deleted message's files, in whichever store holds them. */
    removeMedia (image: { imageKey: string | null, thumbKey: string | null }, log: FastifyBaseLogger): Promise<void>
  }
}
