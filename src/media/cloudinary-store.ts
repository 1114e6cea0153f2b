import { randomUUID } from 'node:crypto'
import { Agent } from 'node:http'
import { Readable } from 'node:stream'
import { v2 as cloudinary, type UploadApiResponse } from 'cloudinary'
import type { MediaStore, StoredImage } from './media-store.js'

export interface CloudinaryOptions {
  /** cloudinary://<api_key>:<api_secret>@<cloud_name>[?upload_prefix=<url>] */
  url: string
  folder?: string
  timeoutMs?: number
}

const THUMB = { width: 320, height: 320, crop: 'limit' } as const

function parseCloudinaryUrl (url: string) {
  const parsed = new URL(url)
  const uploadPrefix = parsed.searchParams.get('upload_prefix') ?? undefined
  return {
    cloud_name: parsed.hostname,
    api_key: decodeURIComponent(parsed.username),
    api_secret: decodeURIComponent(parsed.password),
    ...(uploadPrefix === undefined ? {} : { upload_prefix: uploadPrefix })
  }
}

/**
 * Photos on Cloudinary, delivered as `authenticated` assets: every URL is signed, so a photo is
 * only reachable through a link the server handed out. The thumbnail is a transformation of the
 * one uploaded image.
 */
export function createCloudinaryStore (options: CloudinaryOptions): MediaStore {
  const config = parseCloudinaryUrl(options.url)
  cloudinary.config({ ...config, secure: true })
  // The SDK picks http or https once, at import; a plain-http upload prefix (a local fake of the
  // API, a proxy) needs an http agent passed with each call.
  const agent = config.upload_prefix?.startsWith('http:') === true ? new Agent({ keepAlive: true }) : undefined
  const common = {
    resource_type: 'image' as const,
    type: 'authenticated' as const,
    timeout: options.timeoutMs ?? 30_000,
    ...(agent === undefined ? {} : { agent })
  }
  const folder = options.folder ?? 'family-chat'
  const publicIdOf = (key: string): string => key.replace(/\.[a-z]+$/, '')
  const formatOf = (key: string): string => /\.([a-z]+)$/.exec(key)?.[1] ?? 'jpg'

  return {
    kind: 'cloudinary',

    async put (image): Promise<StoredImage> {
      const publicId = `${folder}/${randomUUID()}`
      const result = await new Promise<UploadApiResponse>((resolve, reject) => {
        const stream = cloudinary.uploader.upload_stream({ ...common, public_id: publicId, overwrite: false }, (err, res) => {
          if (err !== undefined || res === undefined) reject(new Error(`cloudinary upload failed: ${err?.message ?? 'no response'}`))
          else resolve(res)
        })
        stream.end(image.full)
      })
      const key = `${result.public_id}.${image.format === 'jpeg' ? 'jpg' : image.format}`
      return { imageKey: key, thumbKey: key, imageWidth: image.width, imageHeight: image.height }
    },

    async remove (keys): Promise<void> {
      for (const publicId of new Set(keys.map(publicIdOf))) {
        const result = await cloudinary.uploader.destroy(publicId, { ...common, invalidate: true }) as { result?: string }
        if (result.result !== 'ok' && result.result !== 'not found') {
          throw new Error(`cloudinary destroy of ${publicId} answered ${String(result.result)}`)
        }
      }
    },

    async read (key) {
      // The original, through the API's signed download of a private asset (delivery URLs would
      // give a re-encoded copy). Bounded by the same timeout as uploads.
      const url = cloudinary.utils.private_download_url(publicIdOf(key), formatOf(key), { type: 'authenticated', resource_type: 'image' })
      const res = await fetch(url, { signal: AbortSignal.timeout(common.timeout) })
      if (res.status === 404) return null
      if (!res.ok) throw new Error(`cloudinary download of ${publicIdOf(key)} answered ${res.status}`)
      const bytes = Buffer.from(await res.arrayBuffer())
      return { size: bytes.length, body: Readable.from([bytes]) }
    },

    urls ({ imageKey }) {
      // urlAnalytics off: no SDK tracking parameter on family photo links.
      const base = { resource_type: 'image', type: 'authenticated', sign_url: true, secure: true, urlAnalytics: false, format: formatOf(imageKey) }
      return {
        url: cloudinary.url(publicIdOf(imageKey), base),
        thumbUrl: cloudinary.url(publicIdOf(imageKey), { ...base, transformation: [THUMB] })
      }
    }
  }
}
