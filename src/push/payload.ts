import type { PushRoom } from '../../db/queries/push.js'
import type { PushPreview } from '../../db/schema/index.js'

/** The plaintext of a push (the contract's "Notifications (Web Push)"), before encryption. */
export interface PushPayload {
  v: 1
  roomId: string | null
  messageId: string | null
  seq: number
  title: string
  body: string
  unread: number
}

const APP_NAME = 'Family Chat'
const BODY_CODE_POINTS = 120

export interface NewMessageFacts {
  roomId: string
  messageId: string
  seq: number
  body: string
  hasImage: boolean
}

/** What a device shows for a new message, as much as its owner chose to preview. */
export function messagePayload (message: NewMessageFacts, room: PushRoom, preview: PushPreview, unread: number): PushPayload {
  const base = { v: 1 as const, roomId: message.roomId, messageId: message.messageId, seq: message.seq, unread }
  if (preview === 'none') return { ...base, title: APP_NAME, body: 'New message' }
  const title = room.kind === 'group' ? `${room.senderName} in ${room.name}` : room.senderName
  if (preview === 'sender') return { ...base, title, body: 'New message' }
  const text = [...message.body].slice(0, BODY_CODE_POINTS).join('')
  return { ...base, title, body: text === '' && message.hasImage ? '📷 Photo' : text }
}

/** The notification `POST /api/push/test` sends. */
export const testPayload = (unread: number): PushPayload =>
  ({ v: 1, roomId: null, messageId: null, seq: 0, title: APP_NAME, body: 'Notifications are on for this device', unread })
