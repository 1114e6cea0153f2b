/** The stored files of one image message. */
export interface StoredImage {
  imageKey: string
  thumbKey: string
  imageWidth: number
  imageHeight: number
}

export interface StoredFile {
  size: number
  body: AsyncIterable<Buffer>
}

export interface ImageUrls {
  url: string
  thumbUrl: string
}

/** Where photos live: local disk (default) or Cloudinary. Chosen once, by plugins/media.ts. */
export interface MediaStore {
  readonly kind: 'local' | 'cloudinary'
  /** Stores the processed image and thumbnail; resolves to their keys. */
  put (image: { full: Buffer, thumb: Buffer, width: number, height: number, format: 'jpeg' | 'webp' | 'png' }): Promise<StoredImage>
  /** Deletes files by key; missing files are not an error. */
  remove (keys: string[]): Promise<void>
  /** A stored file's bytes (backups), or null when it is gone. */
  read (key: string): Promise<StoredFile | null>
  /** Fresh URLs a browser can load (signed and expiring: family photos are never public). */
  urls (image: { imageKey: string, thumbKey: string }): ImageUrls
}
