import type { PushRoom } from '../../db/queries/push.js'
import type { PushPreview } from '../../db/schema/index.js'
import type { PushPayload } from '../schemas/push.js'

export type { PushPayload } from '../schemas/push.js'

const APP_NAME = 'Family Chat'
const BODY_CODE_POINTS = 120

export interface NewMessageFacts {
  id: string
  roomId: string
  senderId: string
  seq: number
  body: string
  imageKey: string | null
}

/** What a device shows for a new message, as much as its owner chose to preview. */
export function messagePayload (message: NewMessageFacts, room: PushRoom & { senderNames: ReadonlyMap<string, string> }, preview: PushPreview, unread: number): PushPayload {
  const base = { v: 1 as const, roomId: message.roomId, messageId: message.id, seq: message.seq, unread }
  if (preview === 'none') return { ...base, title: APP_NAME, body: 'New message' }
  const sender = room.senderNames.get(message.senderId) ?? 'Someone'
  const title = room.kind === 'group' ? `${sender} in ${room.name}` : sender
  if (preview === 'sender') return { ...base, title, body: 'New message' }
  const text = [...message.body].slice(0, BODY_CODE_POINTS).join('')
  return { ...base, title, body: text === '' && message.imageKey !== null ? '📷 Photo' : text }
}

/** The notification `POST /api/push/test` sends. */
export const testPayload = (unread: number): PushPayload =>
  ({ v: 1, roomId: null, messageId: null, seq: 0, title: APP_NAME, body: 'Notifications are on for this device', unread })
