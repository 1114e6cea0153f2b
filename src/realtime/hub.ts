import type { Writable } from 'node:stream'
import type { RawData, WebSocket } from 'ws'
import type { Accounts } from '../auth/accounts.js'
import type { ChatService } from '../chat/chat-service.js'
import type { Auth, SessionService } from '../auth/session-service.js'
import type { RateLimit } from '../config.js'
import { publishChatEvents } from './chat-frames.js'
import { deliverFanout } from './delivery.js'
import { createDispatcher, type ConnectionState } from './dispatcher.js'
import { CLOSE, encode } from './envelope.js'
import type { Fanout } from './fanout.js'
import { createFloodGuard } from './flood-guard.js'
import { createLocalPresence, type LocalView, type Presence } from './presence.js'
import { createRegistry, type Connection } from './registry.js'
import { createTypingThrottle } from './typing-throttle.js'

export interface HubLogger {
  error (obj: object, msg: string): void
  warn (obj: object, msg: string): void
  debug (obj: object, msg: string): void
}

export interface HubOptions {
  chat: ChatService
  sessions: Pick<SessionService, 'confirm' | 'onRevoked' | 'evict'>
  accounts: Pick<Accounts, 'find' | 'onProfileChanged'>
  fanout: Fanout
  log: HubLogger
  wsLimit: RateLimit
  heartbeatMs?: number
  maxBufferedBytes?: number
  maxSocketsPerUser?: number
  typingIntervalMs?: number
  /** Presence across instances (Redis); by default this instance's registry is the whole truth. */
  presence?: (local: LocalView, announceOffline: (userId: string) => void) => Presence
}

/** Frames a client may send before its `ready`; more is a flood. */
const MAX_EARLY_FRAMES = 64

/**
 * The sockets' lifecycle: accepts authenticated sockets, runs their handshake (`ready`), keeps the
 * registry and presence, pings, and shuts down without losing an acknowledged message. Chat
 * events become frames in chat-frames.ts and reach sockets through delivery.ts; frames from
 * clients go through dispatcher.ts. Fastify-free; plugins/realtime.ts wires it.
 */
export function createHub (options: HubOptions) {
  const { chat, fanout, log } = options
  const heartbeatMs = options.heartbeatMs ?? 30_000
  const maxSocketsPerUser = options.maxSocketsPerUser ?? 20
  const typingIntervalMs = options.typingIntervalMs ?? 2000
  const inflight = new Set<Promise<unknown>>()
  const lastSeen = new Map<string, string>()
  const alive = new WeakMap<Connection, boolean>()
  let nextId = 0
  let closing = false

  const registry = createRegistry({
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
    onSlowConsumer (connection) {
      log.warn({ userId: connection.userId, buffered: connection.socket.bufferedAmount }, 'dropping a socket that does not read')
      // A close frame would queue behind the backlog: cut the connection; the client recovers with sync.
      connection.socket.terminate()
    }
  })

  const local: LocalView = {
    users: () => new Set(registry.all().map((c) => c.userId)),
    foreground: () => registry.foregroundSessions(),
    isForeground: (sessionId) => registry.isForeground(sessionId)
  }
  const presence = (options.presence ?? createLocalPresence)(local, (userId) => publishPresence(userId, false))
  /** Registers, changes or removes a socket, telling presence when its session's foreground state changes. */
  const changeForeground = (connection: Connection, change: () => void): void => {
    const before = registry.isForeground(connection.sessionId)
    change()
    const after = registry.isForeground(connection.sessionId)
    if (before !== after) presence.foregroundChanged(connection.sessionId, after)
  }
  const announce = (userId: string, online: boolean, change: Promise<boolean>): void => {
    change.then((changed) => { if (changed) publishPresence(userId, online) }, (err: unknown) => log.warn({ err }, 'presence update failed'))
  }

  const closeConnection = (connection: Connection, code: number, reason: string): void => {
    if (connection.socket.readyState === connection.socket.OPEN || connection.socket.readyState === connection.socket.CONNECTING) {
      connection.socket.close(code, reason)
    }
  }

  const dispatch = createDispatcher({
    authorize: (connection) => options.sessions.confirm(authOf.get(connection)!),
    send: (connection, frame) => registry.send(connection, frame),
    close: closeConnection,
    logError: (err, connection, type) => log.error({ err, userId: connection.userId, type }, 'websocket request failed'),
    track (work) {
      inflight.add(work)
      work.finally(() => inflight.delete(work)).catch(() => {})
    }
  })
  const authOf = new WeakMap<Connection, Auth>()

  publishChatEvents(chat, options.sessions, options.accounts, fanout)
  deliverFanout(fanout, { chat, sessions: options.sessions, registry, close: closeConnection, log })

  function publishPresence (userId: string, online: boolean): void {
    const lastSeenAt = new Date().toISOString()
    lastSeen.set(userId, lastSeenAt)
    fanout.publish({ kind: 'all', frame: encode('presence', { userId, online, lastSeenAt }) })
  }

  // Also where an idle socket's token runs out: closed within one heartbeat of its expiry, not
  // only at its next request frame.
  const heartbeat = setInterval(() => {
    const now = Date.now()
    for (const connection of registry.all()) {
      if (now >= authOf.get(connection)!.expiresAt) {
        closeConnection(connection, CLOSE.unauthorized, 'token expired')
        continue
      }
      if (alive.get(connection) === false) {
        connection.socket.terminate()
        continue
      }
      alive.set(connection, false)
      connection.socket.ping()
    }
  }, heartbeatMs)
  heartbeat.unref()

  function accept (socket: WebSocket, stream: Writable, auth: Auth): void {
    const connection: Connection = { id: ++nextId, userId: auth.userId, sessionId: auth.sessionId, socket, stream, held: [], visible: true }
    authOf.set(connection, auth)
    const state: ConnectionState = {
      flood: createFloodGuard(options.wsLimit),
      chain: Promise.resolve(),
      context: {
        connection,
        chat,
        registry,
        fanout,
        allowTyping: createTypingThrottle(typingIntervalMs),
        setVisible: (visible) => changeForeground(connection, () => { connection.visible = visible })
      }
    }
    let early: Array<[RawData, boolean]> | null = []

    // Listeners first, synchronously; only then the async start (fastify-websocket's rule).
    socket.on('message', (raw, isBinary) => {
      if (early === null) return dispatch(connection, state, raw, isBinary)
      early.push([raw, isBinary])
      if (early.length > MAX_EARLY_FRAMES) closeConnection(connection, CLOSE.rateLimited, 'too many frames')
    })
    socket.on('pong', () => alive.set(connection, true))
    socket.on('error', (err) => log.debug({ err, userId: connection.userId }, 'socket error'))
    socket.on('close', () => {
      early = null
      let last = false
      changeForeground(connection, () => { last = registry.remove(connection) })
      if (last) announce(connection.userId, false, presence.left(connection.userId))
    })

    if (closing) return closeConnection(connection, CLOSE.goingAway, 'server shutting down')
    if (registry.connectionsOfUser(auth.userId).length >= maxSocketsPerUser) {
      return closeConnection(connection, CLOSE.tooManySockets, 'too many sockets for this user')
    }

    const start = async (): Promise<void> => {
      // Join the rooms before reading them: events committed from here on are held, not lost.
      const roomIds = await chat.roomIds(auth.userId)
      if (socket.readyState !== socket.OPEN) return
      let first = false
      changeForeground(connection, () => { first = registry.add(connection, roomIds) })
      if (first) announce(auth.userId, true, presence.joined(auth.userId))
      alive.set(connection, true)
      const [user, rooms] = await Promise.all([options.accounts.find(auth.userId), chat.rooms(auth.userId)])
      if (socket.readyState !== socket.OPEN) return
      if (user === undefined) return closeConnection(connection, CLOSE.unauthorized, 'user gone')
      socket.send(encode('ready', { user, rooms, serverTime: new Date().toISOString() }))
      registry.release(connection)
      const queued = early ?? []
      early = null
      for (const [raw, isBinary] of queued) dispatch(connection, state, raw, isBinary)
    }
    start().catch((err: unknown) => {
      log.error({ err, userId: auth.userId }, 'could not start a websocket session')
      closeConnection(connection, CLOSE.internalError, 'internal error')
    })
  }

  return {
    accept,
    registry,

    /** False when the user already has the maximum number of sockets. */
    canAccept: (userId: string): boolean => registry.connectionsOfUser(userId).length < maxSocketsPerUser,

    /** Users with a socket open on any instance. */
    onlineUsers: (): Promise<Set<string>> => presence.onlineUsers(),

    /** Which of the sessions have a socket in the foreground on any instance (they get no push). */
    inForeground: (sessionIds: readonly string[]): Promise<Set<string>> => presence.inForeground(sessionIds),

    /** Finishes and acks every request already received, then closes every socket with 1001. */
    async shutdown (graceMs = 5000): Promise<void> {
      closing = true
      clearInterval(heartbeat)
      while (inflight.size > 0) {
        await Promise.allSettled([...inflight])
        await chat.drain()
      }
      await chat.drain()
      const sockets = registry.all().map((c) => c.socket)
      const closed = Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
        if (socket.readyState === socket.CLOSED) return resolve()
        socket.once('close', () => resolve())
        socket.close(CLOSE.goingAway, 'server shutting down')
      })))
      let timer: NodeJS.Timeout | undefined
      await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })])
      clearTimeout(timer)
      for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate()
      await presence.close()
      await fanout.close()
    }
  }
}

export type Hub = ReturnType<typeof createHub>
