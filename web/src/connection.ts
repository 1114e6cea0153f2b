import { ApiError } from './api.js'
import type { Envelope, ErrorBody } from './types.js'

export type ConnectionStatus = 'connecting' | 'online' | 'offline'

export interface ConnectionHandlers {
  /** Every frame that is not the answer to one of our requests (ready, message.new, …). */
  onFrame (frame: Envelope): void
  onStatus (status: ConnectionStatus): void
  /** Closed with 4001: the session is over. */
  onUnauthorized (): void
  /** The socket closed before `ready`: the upgrade may have been refused (a revoked token is a 401 there). */
  onRefused (): void
}

const UNAUTHORIZED = 4001
// A network that dies without a word (a phone leaving Wi-Fi) never closes the socket: an unanswered
// ping is the only news of it, so the page says it is offline within PING_EVERY_MS + PONG_WITHIN_MS.
const PING_EVERY_MS = 10_000
const PONG_WITHIN_MS = 5_000
const MAX_BACKOFF_MS = 10_000
// A connection attempt into a dead network hangs rather than fails: given up and retried after this.
const READY_WITHIN_MS = 10_000
// The server allows 20 request frames a second per socket (RATE_LIMIT_WS's default) and closes a
// socket that keeps flooding: a long outbox flushed after a reconnect is paced under that.
const FRAMES_PER_SECOND = 15

interface Waiting {
  resolve (frame: Envelope): void
  reject (error: Error): void
}

/**
 * The WebSocket to the server, reconnecting with backoff until stopped. Requests carry an id and
 * resolve with the frame that answers it; a closed socket rejects every waiting request (the
 * caller decides what to retry).
 */
export class Connection {
  status: ConnectionStatus = 'offline'
  private socket: WebSocket | null = null
  private readonly waiting = new Map<string, Waiting>()
  private nextId = 1
  private attempts = 0
  private stopped = true
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private pingTimer: ReturnType<typeof setInterval> | undefined
  private readyTimer: ReturnType<typeof setTimeout> | undefined
  private readonly sentAt: number[] = []
  private readonly paced: string[] = []
  private paceTimer: ReturnType<typeof setTimeout> | undefined
  private readonly url: () => string
  private readonly handlers: ConnectionHandlers

  constructor (url: () => string, handlers: ConnectionHandlers) {
    this.url = url
    this.handlers = handlers
    window.addEventListener('online', () => this.reconnectNow())
    // The browser knows the network is gone before any socket does.
    window.addEventListener('offline', () => { if (this.socket !== null) this.drop(this.socket) })
    // A phone waking up: find out now whether the socket survived, not at the next ping.
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.ping() })
  }

  start (): void {
    this.stopped = false
    this.open()
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.socket?.close(1000)
    this.socket = null
  }

  /** Skips the backoff wait (the browser says the network is back). */
  reconnectNow (): void {
    if (this.stopped || this.socket !== null) return
    clearTimeout(this.retryTimer)
    this.open()
  }

  /** Sends a request and resolves with its answer (`ack`, `messages`, `pong`), rejects on `error`. */
  request (type: string, data: object): Promise<Envelope> {
    const socket = this.socket
    if (socket === null || this.status !== 'online') return Promise.reject(new ApiError(0, 'network', 'Not connected'))
    const id = String(this.nextId++)
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.pace(JSON.stringify({ type, id, data }))
    })
  }

  /** A frame without an answer (typing). */
  notify (type: string, data: object): void {
    if (this.status === 'online') this.pace(JSON.stringify({ type, data }))
  }

  /** Sends in order, at most FRAMES_PER_SECOND in any second; the rest wait their turn. */
  private pace (frame: string): void {
    this.paced.push(frame)
    this.drainPaced()
  }

  private drainPaced (): void {
    clearTimeout(this.paceTimer)
    const now = Date.now()
    while (this.sentAt.length > 0 && this.sentAt[0]! <= now - 1000) this.sentAt.shift()
    while (this.paced.length > 0 && this.sentAt.length < FRAMES_PER_SECOND) {
      this.socket?.send(this.paced.shift()!)
      this.sentAt.push(now)
    }
    if (this.paced.length > 0) this.paceTimer = setTimeout(() => this.drainPaced(), this.sentAt[0]! + 1000 - now)
  }

  private setStatus (status: ConnectionStatus): void {
    if (this.status === status) return
    this.status = status
    this.handlers.onStatus(status)
  }

  private open (): void {
    // Once it has been online, the page says offline until it is back, however many attempts it takes.
    this.setStatus(this.attempts > 0 ? 'offline' : 'connecting')
    const socket = new WebSocket(this.url())
    this.socket = socket
    clearTimeout(this.readyTimer)
    this.readyTimer = setTimeout(() => { if (this.socket === socket && this.status !== 'online') this.drop(socket) }, READY_WITHIN_MS)
    socket.onmessage = (event) => this.receive(event.data)
    socket.onclose = (event) => this.closed(socket, event.code)
  }

  private receive (raw: unknown): void {
    if (typeof raw !== 'string') return
    let frame: Envelope
    try {
      frame = JSON.parse(raw) as Envelope
    } catch {
      return
    }
    if (frame.type === 'ready') {
      clearTimeout(this.readyTimer)
      this.attempts = 0
      this.setStatus('online')
      this.startPinging()
    }
    const waiting = frame.id === undefined ? undefined : this.waiting.get(frame.id)
    if (waiting === undefined) return this.handlers.onFrame(frame)
    this.waiting.delete(frame.id!)
    if (frame.type === 'error') {
      const error = frame.data as unknown as ErrorBody
      waiting.reject(new ApiError(400, error.code, error.message))
    } else {
      waiting.resolve(frame)
    }
  }

  private startPinging (): void {
    clearInterval(this.pingTimer)
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS)
  }

  /** A missed pong ends the socket at once: its `close` may never come on a dead network. */
  private ping (): void {
    const socket = this.socket
    if (socket === null || this.status !== 'online') return
    const deadline = setTimeout(() => this.drop(socket), PONG_WITHIN_MS)
    this.request('ping', {}).then(() => clearTimeout(deadline), () => clearTimeout(deadline))
  }

  /** Gives a socket up as closed without waiting for its close handshake, which a dead network never completes. */
  private drop (socket: WebSocket): void {
    socket.onmessage = null
    socket.onclose = null
    socket.close()
    this.closed(socket, 1006)
  }

  private closed (socket: WebSocket, code: number): void {
    if (this.socket !== socket) return
    this.socket = null
    // Frames for the old socket are not resent as they are: their requests are rejected below.
    this.paced.length = 0
    clearTimeout(this.paceTimer)
    const wasReady = this.status === 'online'
    clearInterval(this.pingTimer)
    for (const waiting of this.waiting.values()) waiting.reject(new ApiError(0, 'network', 'Connection lost'))
    this.waiting.clear()
    this.setStatus('offline')
    if (code === UNAUTHORIZED) {
      this.stopped = true
      return this.handlers.onUnauthorized()
    }
    if (this.stopped) return
    if (!wasReady) this.handlers.onRefused()
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts) * (0.75 + Math.random() / 2)
    this.attempts++
    this.retryTimer = setTimeout(() => this.open(), delay)
  }
}
