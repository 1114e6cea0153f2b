// The contract's shapes (docs/protocol.md), as this client uses them.

export interface User {
  id: string
  username: string
  displayName: string
  avatarUrl: string | null
}

export interface FamilyMember extends User {
  online: boolean
}

export interface Room {
  id: string
  name: string
  kind: 'group' | 'direct'
  lastSeq: number
  lastReadSeq: number
  unread: number
  members: string[]
  memberReadSeqs?: Record<string, number>
}

export interface Image {
  url: string
  thumbUrl: string
  width: number
  height: number
}

export interface Message {
  id: string
  roomId: string
  seq: number
  eventSeq: number
  senderId: string
  clientId: string | null
  body: string
  image: Image | null
  createdAt: string
  editedAt: string | null
  deletedAt: string | null
}

export interface MessagePage {
  messages: Message[]
  hasMore: boolean
  lastSeq: number
}

export interface Session {
  id: string
  createdAt: string
  lastSeenAt: string
  userAgent: string | null
  current: boolean
}

export interface Envelope {
  type: string
  id?: string
  data?: Record<string, unknown>
}

export interface ReadyData {
  user: User
  rooms: Room[]
  serverTime: string
}

export interface ErrorBody {
  statusCode?: number
  code: string
  message: string
}
