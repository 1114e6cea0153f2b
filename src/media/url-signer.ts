import { createHmac, timingSafeEqual } from 'node:crypto'

const HOUR = 3600

/**
 * HMAC-signed, expiring media URLs. Expiry is rounded up to the next whole hour (1–2 h of
 * validity), so a photo keeps one URL for an hour and browsers can cache it.
 */
export function createUrlSigner (secret: string, options: { now?: () => number } = {}) {
  const key = createHmac('sha256', secret).update('family-chat media urls').digest()
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  const mac = (mediaKey: string, exp: number): string =>
    createHmac('sha256', key).update(`${mediaKey}\n${exp}`).digest('base64url')

  return {
    sign (mediaKey: string): string {
      const exp = (Math.floor(now() / HOUR) + 2) * HOUR
      return `/media/${encodeURIComponent(mediaKey)}?exp=${exp}&sig=${mac(mediaKey, exp)}`
    },

    verify (mediaKey: string, exp: unknown, sig: unknown): boolean {
      if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return false
      if (Number(exp) < now()) return false
      const expected = Buffer.from(mac(mediaKey, Number(exp)))
      const given = Buffer.from(sig)
      return given.length === expected.length && timingSafeEqual(given, expected)
    }
  }
}

export type UrlSigner = ReturnType<typeof createUrlSigner>
