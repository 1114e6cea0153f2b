import type { Accounts } from '../auth/accounts.js'
import type { SessionService } from '../auth/session-service.js'
import type { ChatEvent, ChatService } from '../chat/chat-service.js'
import { encode } from './envelope.js'
import type { Fanout } from './fanout.js'

/**
 * Turns the domain's events into what every instance delivers: each committed event becomes one
 * frame, serialised once here, published through the fan-out (local, or Redis across instances).
 * Presence and typing are published by the hub and the handlers themselves.
 */
export function publishChatEvents (
  chat: Pick<ChatService, 'onEvent' | 'toDto'>,
  sessions: Pick<SessionService, 'onRevoked'>,
  accounts: Pick<Accounts, 'onProfileChanged'>,
  fanout: Fanout
): void {
  chat.onEvent((event: ChatEvent) => {
    switch (event.type) {
      case 'message.new':
      case 'message.updated':
        return fanout.publish({
          kind: 'room',
          roomId: event.roomId,
          seq: event.message.eventSeq,
          frame: encode(event.type, { message: chat.toDto(event.message) })
        })
      case 'read':
        return fanout.publish({ kind: 'room', roomId: event.roomId, frame: encode('read', { roomId: event.roomId, userId: event.userId, seq: event.seq }) })
      case 'room.joined':
        return fanout.publish({ kind: 'join', roomId: event.roomId, userIds: event.userIds })
    }
  })
  sessions.onRevoked((sessionIds) => fanout.publish({ kind: 'revoke', sessionIds: [...sessionIds] }))
  accounts.onProfileChanged((user, roomMates) => fanout.publish({ kind: 'users', userIds: roomMates, frame: encode('user.updated', { user }) }))
}
