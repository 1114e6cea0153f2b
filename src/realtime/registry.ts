import type { Writable } from 'node:stream'
import type { WebSocket } from 'ws'
import { textFrame, type TextFrame } from './text-frame.js'

/** One authenticated socket. */
export interface Connection {
  readonly id: number
  readonly userId: string
  readonly sessionId: string
  readonly socket: WebSocket
  /**
   * The TCP socket under `socket` (the upgraded request's), corked while a tick's frames are
   * written; a frame framed once for many sockets is written to it directly.
   */
  readonly stream: Writable
  /** Frames held back until `ready` has been sent, so nothing is lost while the socket starts. */
  held: Frame[] | null
  /** The app is on screen (the client's `visibility` frame; a new socket counts as visible). */
  visible: boolean
}

/** A serialised frame: the JSON text, or the whole WebSocket frame when it goes to many sockets. */
export type Frame = string | TextFrame

export interface RegistryOptions {
  /** Unsent bytes a socket may accumulate before it is dropped as a slow consumer. */
  maxBufferedBytes: number
  onSlowConsumer (connection: Connection): void
}

/**
 * Every index of who is connected where — room → connections, connection → rooms, user →
 * connections, session → connections — and the only code that changes them (socket.io's
 * in-memory adapter is the model). A frame is serialised once by the caller and the same bytes
 * are written to each socket.
 */
export function createRegistry (options: RegistryOptions) {
  const rooms = new Map<string, Set<Connection>>()
  const roomsOf = new Map<Connection, Set<string>>()
  const byUser = new Map<string, Set<Connection>>()
  const bySession = new Map<string, Set<Connection>>()

  function addTo<K> (index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
    let set = index.get(key)
    if (set === undefined) {
      set = new Set()
      index.set(key, set)
    }
    set.add(connection)
  }

  function removeFrom<K> (index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
    const set = index.get(key)
    if (set === undefined) return
    set.delete(connection)
    if (set.size === 0) index.delete(key)
  }

  // Frames written to a socket in one tick leave in one system call: a batch of messages fanned out
  // is otherwise one write per frame per socket, which was most of the server's CPU at saturation.
  // The socket is corked at its first frame and uncorked once the tick's work is done, as Node's
  // own http server does with its responses.
  const corked = new Set<Connection>()
  const uncorkAll = (): void => {
    for (const connection of corked) connection.stream.uncork()
    corked.clear()
  }
  function corkForThisTick (connection: Connection): void {
    if (corked.has(connection)) return
    if (corked.size === 0) process.nextTick(uncorkAll)
    corked.add(connection)
    connection.stream.cork()
  }

  function write (connection: Connection, frame: Frame): void {
    if (connection.held !== null) {
      connection.held.push(frame)
      return
    }
    if (connection.socket.readyState !== connection.socket.OPEN) return
    // A client that does not read would make this buffer grow without end: cut it loose instead.
    if (connection.socket.bufferedAmount > options.maxBufferedBytes) {
      options.onSlowConsumer(connection)
      return
    }
    corkForThisTick(connection)
    // Whole frames only, and ws writes each of its own frames at once: the two never interleave.
    // (With permessage-deflate, off in plugins/websocket.ts, ws could queue a frame behind this one.)
    if (typeof frame === 'string') connection.socket.send(frame)
    else connection.stream.write(frame)
  }

  /**
   * A frame for several sockets is framed once and the same bytes are written to each: `ws` would
   * encode the text and build a header for every socket, and at N = 100 that was a tenth of the
   * server's time at saturation (README, "Benchmarks").
   */
  const forMany = (frame: string, sockets: number): Frame => sockets > 1 ? textFrame(frame) : frame

  return {
    /** Registers the connection in its rooms. True when it is the user's first socket. */
    add (connection: Connection, roomIds: Iterable<string>): boolean {
      const first = !byUser.has(connection.userId)
      roomsOf.set(connection, new Set(roomIds))
      for (const roomId of roomsOf.get(connection)!) addTo(rooms, roomId, connection)
      addTo(byUser, connection.userId, connection)
      addTo(bySession, connection.sessionId, connection)
      return first
    },

    /** Removes the connection everywhere. True when it was the user's last socket. */
    remove (connection: Connection): boolean {
      const joined = roomsOf.get(connection)
      if (joined === undefined) return false
      for (const roomId of joined) removeFrom(rooms, roomId, connection)
      roomsOf.delete(connection)
      removeFrom(byUser, connection.userId, connection)
      removeFrom(bySession, connection.sessionId, connection)
      return !byUser.has(connection.userId)
    },

    /** The user's sockets follow them into a room they just joined. */
    join (userId: string, roomId: string): void {
      for (const connection of byUser.get(userId) ?? []) {
        roomsOf.get(connection)?.add(roomId)
        addTo(rooms, roomId, connection)
      }
    },

    isInRoom (connection: Connection, roomId: string): boolean {
      return roomsOf.get(connection)?.has(roomId) ?? false
    },

    broadcast (roomId: string, frame: string, exceptUserId?: string): void {
      const connections = rooms.get(roomId)
      if (connections === undefined) return
      const bytes = forMany(frame, connections.size)
      for (const connection of connections) {
        if (connection.userId !== exceptUserId) write(connection, bytes)
      }
    },

    broadcastAll (frame: string): void {
      const bytes = forMany(frame, roomsOf.size)
      for (const connection of roomsOf.keys()) write(connection, bytes)
    },

    send: write,

    /** Releases the frames held while the connection was starting, after its `ready`. */
    release (connection: Connection): void {
      const held = connection.held ?? []
      connection.held = null
      for (const frame of held) write(connection, frame)
    },

    connectionsOfSessions (sessionIds: Iterable<string>): Connection[] {
      return [...sessionIds].flatMap((id) => [...bySession.get(id) ?? []])
    },

    /** Whether a registered socket of the session is visible. */
    isForeground (sessionId: string): boolean {
      for (const connection of bySession.get(sessionId) ?? []) if (connection.visible) return true
      return false
    },

    /** Sessions with a visible socket. */
    * foregroundSessions (): Iterable<string> {
      for (const [sessionId, connections] of bySession) {
        for (const connection of connections) {
          if (connection.visible) {
            yield sessionId
            break
          }
        }
      }
    },

    connectionsOfUser (userId: string): Connection[] {
      return [...byUser.get(userId) ?? []]
    },

    isOnline (userId: string): boolean {
      return byUser.has(userId)
    },

    all (): Connection[] {
      return [...roomsOf.keys()]
    },

    get size (): number {
      return roomsOf.size
    },

    /** Internal sizes, for tests proving that nothing is left behind. */
    stats () {
      return { rooms: rooms.size, connections: roomsOf.size, users: byUser.size, sessions: bySession.size }
    }
  }
}

export type Registry = ReturnType<typeof createRegistry>
