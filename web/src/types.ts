// The contract's shapes, from the server's own schemas (src/schemas): type-only, so nothing of the
// server reaches the bundle, and a change to the contract is a compile error here.

export type { User } from '../../src/schemas/user.js'
export type { Room } from '../../src/schemas/room.js'
export type { Message } from '../../src/schemas/message.js'
import type { Static } from 'typebox'
import type { UserWithPresenceSchema } from '../../src/schemas/user.js'
import type { ImageSchema, MessagePageSchema } from '../../src/schemas/message.js'
import type { SessionSchema } from '../../src/schemas/auth.js'
import type { User } from '../../src/schemas/user.js'
import type { Room } from '../../src/schemas/room.js'
import type { ErrorResponseSchema } from '../../src/schemas/common.js'

export type FamilyMember = Static<typeof UserWithPresenceSchema>
export type Image = Static<typeof ImageSchema>
export type MessagePage = Static<typeof MessagePageSchema>
export type Session = Static<typeof SessionSchema>
/** What the client reads of an error; `statusCode` is absent on WebSocket `error` frames. */
export type ErrorBody = Pick<Static<typeof ErrorResponseSchema>, 'code' | 'message'> & { statusCode?: number }

export interface Envelope {
  type: string
  id?: string
  data?: Record<string, unknown>
}

/** The `ready` frame's data (docs/protocol.md, "WebSocket"). */
export interface ReadyData {
  user: User
  rooms: Room[]
  serverTime: string
}
