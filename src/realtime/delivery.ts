import type { SessionService } from '../auth/session-service.js'
import type { ChatService } from '../chat/chat-service.js'
import { CLOSE, encode } from './envelope.js'
import type { Fanout, FanoutMessage } from './fanout.js'
import type { Connection, Registry } from './registry.js'

export interface DeliveryDeps {
  chat: Pick<ChatService, 'room'>
  sessions: Pick<SessionService, 'evict'>
  registry: Registry
  close (connection: Connection, code: number, reason: string): void
  log: { error (obj: object, msg: string): void }
}

/** Delivers what the fan-out carries (from this instance or another) to this instance's sockets. */
export function deliverFanout (fanout: Fanout, deps: DeliveryDeps): void {
  const { registry } = deps

  /**
   * A user joined a room: their open sockets join it first (its events flow from now on), then
   * each is told `room.joined` with the room as it is after those events.
   */
  function followIntoRoom (userId: string, roomId: string): void {
    if (registry.connectionsOfUser(userId).length === 0) return
    registry.join(userId, roomId)
    deps.chat.room(userId, roomId).then((room) => {
      const frame = encode('room.joined', { room })
      for (const connection of registry.connectionsOfUser(userId)) {
        if (registry.isInRoom(connection, roomId)) registry.send(connection, frame)
      }
    }, (err: unknown) => deps.log.error({ err, userId, roomId }, 'could not tell sockets of a room they joined'))
  }

  fanout.subscribe((message: FanoutMessage) => {
    switch (message.kind) {
      case 'room':
        return registry.broadcast(message.roomId, message.frame, message.exceptUserId)
      case 'all':
        return registry.broadcastAll(message.frame)
      case 'join':
        for (const userId of message.userIds) followIntoRoom(userId, message.roomId)
        return
      case 'users':
        for (const userId of message.userIds) {
          for (const connection of registry.connectionsOfUser(userId)) registry.send(connection, message.frame)
        }
        return
      case 'revoke':
        // Revoked on another instance: this one's session cache must forget it too.
        deps.sessions.evict(message.sessionIds)
        for (const connection of registry.connectionsOfSessions(message.sessionIds)) {
          deps.close(connection, CLOSE.unauthorized, 'session revoked')
        }
    }
  })
}
