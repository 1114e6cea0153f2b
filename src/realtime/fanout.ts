/**
 * What one instance tells every instance (itself included). Frames are serialised by the
 * publisher, so each instance writes the same string to its sockets.
 */
export type FanoutMessage =
  | { kind: 'room', roomId: string, frame: string, exceptUserId?: string, /** the room-log event's number, when it is one */ seq?: number }
  | { kind: 'all', frame: string }
  | { kind: 'revoke', sessionIds: string[] }
  | { kind: 'join', roomId: string, userIds: string[] }
  | { kind: 'users', userIds: string[], frame: string }

/** The seam between the in-process and the Redis fan-out (socket.io's adapter boundary). */
export interface Fanout {
  publish (message: FanoutMessage): void
  subscribe (handler: (message: FanoutMessage) => void): void
  close (): Promise<void>
}

/** One instance: publishing is delivering, synchronously and in order. */
export function createLocalFanout (): Fanout {
  const handlers: Array<(message: FanoutMessage) => void> = []
  return {
    publish (message) {
      for (const handler of handlers) handler(message)
    },
    subscribe (handler) {
      handlers.push(handler)
    },
    async close () {}
  }
}
