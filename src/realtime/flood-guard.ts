import type { RateLimit } from '../config.js'

export type FloodVerdict = 'ok' | 'limited' | 'close'

/** Refused frames are forgiven at this fraction of the refill rate. */
const FORGIVENESS = 0.25

/**
 * A token bucket per socket: `max` frames of burst, refilled at `max` per window. Each frame
 * refused counts a strike; a socket with more than a window's worth of strikes is to be closed.
 * Strikes are forgiven slowly and continuously, never reset by one refilled token, so no rhythm
 * escapes: whatever its bursts, a socket sending over 1.25× its limit for long gains strikes
 * faster than they are forgiven, while one burst past the limit costs a few seconds of good conduct.
 */
export function createFloodGuard (limit: RateLimit, now: () => number = Date.now) {
  const perMs = limit.max / limit.windowMs
  let tokens = limit.max
  let strikes = 0
  let last = now()
  return (): FloodVerdict => {
    const at = now()
    const elapsed = at - last
    last = at
    tokens = Math.min(limit.max, tokens + elapsed * perMs)
    strikes = Math.max(0, strikes - elapsed * perMs * FORGIVENESS)
    if (tokens >= 1) {
      tokens -= 1
      return 'ok'
    }
    strikes += 1
    return strikes > limit.max ? 'close' : 'limited'
  }
}
