import { newClientId } from './ids.js'

/** A text message written but not yet acknowledged by the server. */
export interface PendingText {
  clientId: string
  roomId: string
  body: string
  /** The message this one answers, if any. */
  replyToId?: string
  createdAt: string
  /** Set when the server refused it (it will not be retried). */
  error?: string
}

/**
 * Texts waiting for their ack, kept in localStorage so a reload or a closed tab does not lose
 * them. Each keeps its clientId for life: however often it is resent, the server stores it once.
 */
export class Outbox {
  private items: PendingText[]
  private readonly key: string

  constructor (userId: string) {
    this.key = `family-chat.outbox.${userId}`
    this.items = Outbox.read(this.key)
  }

  private static read (key: string): PendingText[] {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? '[]')
      return Array.isArray(parsed) ? parsed as PendingText[] : []
    } catch {
      return []
    }
  }

  all (): readonly PendingText[] {
    return this.items
  }

  forRoom (roomId: string): PendingText[] {
    return this.items.filter((item) => item.roomId === roomId)
  }

  add (roomId: string, body: string, replyToId?: string): PendingText {
    const item: PendingText = { clientId: newClientId(), roomId, body, createdAt: new Date().toISOString() }
    if (replyToId !== undefined) item.replyToId = replyToId
    this.items.push(item)
    this.save()
    return item
  }

  /** False when it was not (or no longer) waiting. */
  remove (clientId: string): boolean {
    const before = this.items.length
    this.items = this.items.filter((item) => item.clientId !== clientId)
    if (this.items.length === before) return false
    this.save()
    return true
  }

  fail (clientId: string, error: string): void {
    const item = this.items.find((i) => i.clientId === clientId)
    if (item === undefined) return
    item.error = error
    this.save()
  }

  private save (): void {
    localStorage.setItem(this.key, JSON.stringify(this.items))
  }
}
