import { setImmediate as nextTurn } from 'node:timers/promises'
import webPush from 'web-push'
import { createWorkQueue, throttledWarning } from './work-queue.js'

export interface VapidDetails {
  subject: string
  publicKey: string
  privateKey: string
}

/** One push to one device. */
export interface PushJob {
  sessionId: string
  endpoint: string
  keys: { p256dh: string, auth: string }
  /** The plaintext; encrypted for the device when sent. */
  payload: string
  /** Replaces an undelivered push of the same topic (a phone that was off gets the latest). */
  topic: string
  urgency: 'high' | 'normal'
}

export interface PushSenderLog {
  warn (obj: object, msg: string): void
  error (obj: object, msg: string): void
}

export interface PushSenderOptions {
  vapid: VapidDetails
  /** A push service answered 404 or 410: the subscription is gone for good. */
  onGone: (job: PushJob) => Promise<void>
  log: PushSenderLog
  concurrency?: number
  queueLimit?: number
  timeoutMs?: number
  /** How long before the one retry after a 429 or 5xx, unless the service says (Retry-After, capped). */
  retryDelayMs?: number
}

/** Each push keeps for half a day: a phone off overnight still hears of the evening's messages. */
export const PUSH_TTL_SECONDS = 43_200
const MAX_RETRY_DELAY_MS = 60_000
const VAPID_LIFETIME_SECONDS = 12 * 3600

/**
 * Delivers pushes to the browsers' push services. Never in the way of messaging: a bounded queue
 * (a push that does not fit is dropped with a warning), a few requests at a time, each with a
 * deadline; one retry on 429/5xx; a subscription the service says is gone (404/410) is deleted,
 * one it refuses (401/403: a key mismatch, usually) is kept and logged. Only the endpoint's host is
 * logged: the whole URL is the device's address.
 */
export function createPushSender (options: PushSenderOptions) {
  const { log } = options
  const timeoutMs = options.timeoutMs ?? 10_000
  const retryDelayMs = options.retryDelayMs ?? 1000
  const shutdown = new AbortController()
  const retries = new Set<NodeJS.Timeout>()
  // Pushes queued, in flight or waiting for their retry; idle() waits for none.
  let outstanding = 0
  const idleWaiters: Array<() => void> = []
  const finished = (): void => {
    if (--outstanding === 0) for (const resolve of idleWaiters.splice(0)) resolve()
  }
  const queue = createWorkQueue({
    concurrency: options.concurrency ?? 8,
    limit: options.queueLimit ?? 1000,
    onError: (err) => log.error({ err }, 'push delivery failed')
  })

  const hostOf = (job: PushJob): string => new URL(job.endpoint).host

  // A VAPID signature is good for its push service for up to a day: one per service, renewed
  // well before it runs out, instead of a signature per push.
  const signatures = new Map<string, { authorization: string, renewAt: number }>()
  function vapidAuthorization (endpoint: string): string {
    const audience = new URL(endpoint).origin
    const now = Date.now()
    const known = signatures.get(audience)
    if (known !== undefined && known.renewAt > now) return known.authorization
    const expiresAt = Math.floor(now / 1000) + VAPID_LIFETIME_SECONDS
    const { Authorization: authorization } = webPush.getVapidHeaders(audience, options.vapid.subject, options.vapid.publicKey, options.vapid.privateKey, 'aes128gcm', expiresAt)
    signatures.set(audience, { authorization, renewAt: now + VAPID_LIFETIME_SECONDS * 500 })
    return authorization
  }
  const warnFull = throttledWarning(log, 'push queue full; pushes dropped')

  // Encrypting a push takes 0.4–0.8 ms. Each one gets a turn of the event loop of its own (an
  // immediate queued after the previous one ran), so a round's pushes never hold the loop for
  // milliseconds in a row while sockets and the room log wait.
  let lastTurn: Promise<unknown> = Promise.resolve()
  function oneTurnEach<T> (work: () => T): Promise<T> {
    const done = lastTurn.then(() => nextTurn()).then(work)
    lastTurn = done.catch(() => {})
    return done
  }

  async function deliver (job: PushJob, attempt: number): Promise<void> {
    const request = await oneTurnEach(() => webPush.generateRequestDetails({ endpoint: job.endpoint, keys: job.keys }, job.payload, {
      headers: { Authorization: vapidAuthorization(job.endpoint) },
      TTL: PUSH_TTL_SECONDS,
      urgency: job.urgency,
      topic: job.topic,
      contentEncoding: 'aes128gcm'
    }))
    if (shutdown.signal.aborted) return
    const headers = Object.fromEntries(Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => [name, String(value)]))
    let response: Response
    try {
      response = await fetch(job.endpoint, {
        method: 'POST',
        headers,
        body: new Uint8Array(request.body),
        redirect: 'manual',
        signal: AbortSignal.any([shutdown.signal, AbortSignal.timeout(timeoutMs)])
      })
      await response.arrayBuffer()
    } catch (err) {
      if (shutdown.signal.aborted) return
      log.warn({ host: hostOf(job), err: { name: (err as Error).name, message: (err as Error).message } }, 'push service unreachable; push dropped')
      return
    }
    const status = response.status
    if (status >= 200 && status < 300) return
    if (status === 404 || status === 410) return await options.onGone(job)
    if ((status === 429 || status >= 500) && attempt === 1) return retryLater(job, response.headers.get('retry-after'))
    log.warn({ host: hostOf(job), status, attempt }, status === 401 || status === 403
      ? 'push service refused the server\'s VAPID signature; subscription kept'
      : 'push service refused a push; push dropped')
  }

  function retryLater (job: PushJob, retryAfter: string | null): void {
    const seconds = retryAfter === null ? NaN : Number(retryAfter)
    const delay = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_DELAY_MS) : retryDelayMs
    outstanding++
    const timer = setTimeout(() => {
      retries.delete(timer)
      enqueue(job, 2)
      finished()
    }, delay)
    timer.unref()
    retries.add(timer)
  }

  function enqueue (job: PushJob, attempt: number): boolean {
    if (shutdown.signal.aborted) return false
    outstanding++
    const queued = queue.push(() => deliver(job, attempt).finally(finished))
    if (!queued) finished()
    if (!queued) warnFull({ host: hostOf(job), queued: queue.size })
    return queued
  }

  return {
    /** Queues a push; false when it was dropped (the queue is full, or the server is closing). */
    send: (job: PushJob): boolean => enqueue(job, 1),

    /** Resolves when no push is queued, in flight or waiting to be retried. */
    idle (): Promise<void> {
      if (outstanding === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },

    /** Drops what is queued and ends what is in flight. */
    async close (): Promise<void> {
      shutdown.abort()
      for (const timer of retries) clearTimeout(timer)
      retries.clear()
      queue.clear()
      await queue.idle()
      outstanding = 0
      for (const resolve of idleWaiters.splice(0)) resolve()
    }
  }
}

export type PushSender = ReturnType<typeof createPushSender>
