import { ApiError, type Api } from './api.js'
import { newClientId } from './ids.js'
import type { Message } from './types.js'

/** A photo on its way up; kept in memory with its file, retried while the page is open. */
export interface PendingUpload {
  clientId: string
  roomId: string
  file: File
  caption: string
  replyToId?: string
  previewUrl: string
  progress: number
  error?: string
}

export interface UploadEvents {
  /** Progress, a failure or the end of an upload in this room: redraw it. */
  changed (roomId: string): void
  /** The server stored the photo's message. */
  stored (message: Message): void
}

/**
 * Photos being sent. Each keeps its `clientId` through every retry, so a photo whose answer was
 * lost on the way is stored once however often it is sent again.
 */
export class Uploads {
  items: PendingUpload[] = []
  private readonly running = new Set<string>()

  constructor (private readonly api: Api, private readonly events: UploadEvents) {}

  add (roomId: string, file: File, caption: string, replyToId?: string): void {
    const upload: PendingUpload = { clientId: newClientId(), roomId, file, caption, previewUrl: URL.createObjectURL(file), progress: 0 }
    if (replyToId !== undefined) upload.replyToId = replyToId
    this.items.push(upload)
    this.events.changed(roomId)
    this.send(upload)
  }

  /** After a reconnect: every upload that failed on the network goes again. */
  retry (): void {
    for (const upload of this.items) if (upload.error === undefined) this.send(upload)
  }

  /** Forgets an upload (stored, or discarded by the user). */
  remove (clientId: string): void {
    const upload = this.items.find((u) => u.clientId === clientId)
    if (upload === undefined) return
    URL.revokeObjectURL(upload.previewUrl)
    this.items = this.items.filter((u) => u !== upload)
  }

  clear (): void {
    for (const upload of this.items) URL.revokeObjectURL(upload.previewUrl)
    this.items = []
  }

  private async send (upload: PendingUpload): Promise<void> {
    if (this.running.has(upload.clientId)) return
    this.running.add(upload.clientId)
    const form = new FormData()
    form.append('roomId', upload.roomId)
    form.append('clientId', upload.clientId)
    if (upload.caption !== '') form.append('body', upload.caption)
    if (upload.replyToId !== undefined) form.append('replyToId', upload.replyToId)
    form.append('file', upload.file, upload.file.name)
    try {
      const { message } = await this.api.upload<{ message: Message }>('/api/messages/upload', form, (fraction) => {
        upload.progress = Math.max(fraction, 0.01)
        this.events.changed(upload.roomId)
      })
      this.events.stored(message)
    } catch (error) {
      // A network failure is retried at the next `ready` (same clientId: stored once).
      upload.progress = 0
      if (error instanceof ApiError && !error.isNetwork) upload.error = error.message
    } finally {
      this.running.delete(upload.clientId)
      this.events.changed(upload.roomId)
    }
  }
}
