import type SharpModule from 'sharp'
import type { Metadata, Sharp } from 'sharp'
import { payloadTooLarge, unsupportedMediaType } from '../errors.js'
import { detectImageFormat } from './detect-format.js'
import { createHeicDecoder, HeicTooLargeError, HeicUnreadableError } from './heic-decoder.js'
import { createSemaphore } from '../semaphore.js'

export const MAX_PIXELS = 50_000_000
export const MAX_EDGE = 2048
export const THUMB_EDGE = 320
export const AVATAR_EDGE = 256
export const AVATAR_THUMB_EDGE = 64

export interface ProcessedImage {
  full: Buffer
  thumb: Buffer
  width: number
  height: number
  format: 'jpeg' | 'webp'
}

const notAnImage = () => unsupportedMediaType('The file is not a JPEG, PNG, WebP, GIF, AVIF or HEIC image')
const tooManyPixels = () => payloadTooLarge(`The image has more than ${MAX_PIXELS / 1_000_000} megapixels`)

/**
 * Photos in, safe photos out: the format from the bytes, the pixel count from the header before
 * any decode, then one decode that applies the EXIF orientation, bounds the size and re-encodes.
 * sharp writes no metadata unless asked, so EXIF, GPS, XMP and maker notes are all gone.
 * At most `concurrency` decodes run at once (sharp itself runs off the main thread; HEIC in a worker).
 */
export function createImagePipeline (options: { concurrency?: number, maxWaiting?: number, heicWorkerUrl?: URL } = {}) {
  const heic = createHeicDecoder(options.heicWorkerUrl)
  // libvips (about 28 MiB) loads with the first photo, not at every start.
  let loading: Promise<typeof SharpModule> | undefined
  const loadSharp = (): Promise<typeof SharpModule> => (loading ??= import('sharp').then((m) => m.default))
  const limit = createSemaphore(options.concurrency ?? 2, options.maxWaiting ?? 16, 'The server is busy processing photos; try again in a moment')

  /** The upload opened for decoding; `ours` when its pixels come from our HEIC decoder, not the upload's bytes. */
  async function open (bytes: Buffer): Promise<{ image: Sharp, ours: boolean }> {
    const format = detectImageFormat(bytes)
    if (format === null) throw notAnImage()
    const sharp = await loadSharp()
    let meta: Metadata
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata()
    } catch {
      throw notAnImage()
    }
    if (meta.width === undefined || meta.height === undefined || meta.width < 1 || meta.height < 1) throw notAnImage()
    if (meta.width * meta.height > MAX_PIXELS) throw tooManyPixels()
    if (format !== 'heic') {
      // failOn 'error': a truncated or corrupt file is refused instead of half-decoded.
      return { image: sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error', pages: 1, sequentialRead: true }).rotate(), ours: false }
    }
    try {
      const raw = await heic.decode(bytes, MAX_PIXELS)
      return { image: sharp(raw.pixels, { raw: { width: raw.width, height: raw.height, channels: 4 } }), ours: true }
    } catch (err) {
      if (err instanceof HeicTooLargeError) throw tooManyPixels()
      if (err instanceof HeicUnreadableError) throw notAnImage()
      // The decoder failing is the server's fault: a 500, logged, never blamed on the family's photo.
      throw err
    }
  }

  async function encode (image: Sharp, edge: number, alpha: boolean) {
    const resized = image.clone().resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
    const out = alpha ? resized.webp({ quality: 82 }) : resized.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true })
    return await out.toBuffer({ resolveWithObject: true })
  }

  /**
   * Opens the photo and renders it with `render`. A header can be sound and the data behind it not,
   * and libvips words that many ways ("libpng read error", "unable to read pixels", a bare "Unknown
   * error" for a damaged chunk that its statistics pass read without complaint), so a failure while
   * the upload's own bytes are decoded is the upload's: 415. Only pixels from our HEIC decoder, or
   * the machine running out of memory, make it the server's.
   */
  function run (bytes: Buffer, render: (image: Sharp, alpha: boolean) => Promise<ProcessedImage>): Promise<ProcessedImage> {
    return limit(async () => {
      const { image, ours } = await open(bytes)
      try {
        const stats = await image.clone().stats()
        return await render(image, !stats.isOpaque)
      } catch (err) {
        if (ours || (err instanceof Error && /out of memory/i.test(err.message))) throw err
        throw notAnImage()
      }
    })
  }

  async function square (image: Sharp, edge: number, alpha: boolean) {
    const cropped = image.clone().resize({ width: edge, height: edge, fit: 'cover', position: 'attention' })
    const out = alpha ? cropped.webp({ quality: 82 }) : cropped.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true })
    return await out.toBuffer()
  }

  return {
    /** A message photo: at most 2048 px on its long edge, and a 320 px thumbnail. */
    process (bytes: Buffer): Promise<ProcessedImage> {
      return run(bytes, async (image, alpha) => {
        const [full, thumb] = await Promise.all([encode(image, MAX_EDGE, alpha), encode(image, THUMB_EDGE, alpha)])
        return { full: full.data, thumb: thumb.data, width: full.info.width, height: full.info.height, format: alpha ? 'webp' : 'jpeg' }
      })
    },
    /** A profile photo: cropped square (around what draws the eye) to 256 px, and a 64 px one. */
    avatar (bytes: Buffer): Promise<ProcessedImage> {
      return run(bytes, async (image, alpha) => {
        const [full, thumb] = await Promise.all([square(image, AVATAR_EDGE, alpha), square(image, AVATAR_THUMB_EDGE, alpha)])
        return { full, thumb, width: AVATAR_EDGE, height: AVATAR_EDGE, format: alpha ? 'webp' : 'jpeg' }
      })
    },
    close: heic.close
  }
}

export type ImagePipeline = ReturnType<typeof createImagePipeline>
