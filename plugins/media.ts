import fp from 'fastify-plugin'
import { createImagePipeline, type ImagePipeline } from '../src/media/image-pipeline.js'
import type { MediaStore } from '../src/media/media-store.js'
import { openMediaStore } from '../src/media/open-store.js'
import type { UrlSigner } from '../src/media/url-signer.js'
import { checkOptions, Type } from './options.js'

const MediaPluginOptionsSchema = Type.Object({
  dataDir: Type.String({ minLength: 1 }),
  secret: Type.String({ minLength: 32 }),
  cloudinaryUrl: Type.Union([Type.String({ pattern: '^cloudinary://' }), Type.Null()]),
  cloudinaryTimeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
  heicWorkerUrl: Type.Optional(Type.Unsafe<URL>({}))
})
export interface MediaPluginOptions {
  dataDir: string
  /** Signs local media URLs. */
  secret: string
  cloudinaryUrl: string | null
  /** Tests shorten it to exercise a hanging Cloudinary. */
  cloudinaryTimeoutMs?: number
  heicWorkerUrl?: URL
}

export interface MediaNamespace {
  /** Where photos are kept: local disk or Cloudinary, chosen once here. */
  store: MediaStore
  /** Makes uploads safe (format from the bytes, bounded size, metadata stripped). */
  pipeline: ImagePipeline
  /** Signs and checks local media URLs. */
  signer: UrlSigner
  /** The file of a local media key, or null for anything that is not one (and in Cloudinary mode). */
  localPath (key: string): string | null
}

export default fp<MediaPluginOptions>(async (app, opts) => {
  checkOptions('media', MediaPluginOptionsSchema, opts)
  const { store, signer, localPath } = await openMediaStore(opts)
  const pipeline = createImagePipeline(opts.heicWorkerUrl === undefined ? {} : { heicWorkerUrl: opts.heicWorkerUrl })
  app.decorate('media', {
    store,
    pipeline,
    signer,
    localPath
  } satisfies MediaNamespace)
  app.addHook('onClose', () => pipeline.close())
}, { name: 'media', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaNamespace
  }
}
