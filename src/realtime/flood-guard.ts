import type { RateLimit } from '../config.js'

export type FloodVerdict = 'ok' | 'limited' | 'close'

/**
 * A token bucket per socket: `max` frames of burst, refilled at `max` per window. A socket
 * that keeps sending while limited — another full window's worth — is to be closed.
 */
export function createFloodGuard (limit: RateLimit, now: () => number = Date.now) {
  const perMs = limit.max / limit.windowMs
  let tokens = limit.max
  let last = now()
  let strikes = 0
  return (): FloodVerdict => {
    const at = now()
    tokens = Math.min(limit.max, tokens + (at - last) * perMs)
    last = at
    if (tokens >= 1) {
      tokens -= 1
      strikes = 0
      return 'ok'
    }
    strikes += 1
    return strikes > limit.max ? 'close' : 'limited'
  }
}
