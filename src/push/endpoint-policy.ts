const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Whether the server may POST to `endpoint`. A subscription is a URL the server will call, so
 * without this any member could point it at an internal address. `https:` to an allowed host
 * (an entry with a leading '.' allows its subdomains); `http:` only to a loopback host listed
 * exactly, which is how a push service on the same box (a test's) is reached.
 */
export function isAllowedEndpoint (endpoint: string, allowedHosts: readonly string[]): boolean {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return false
  }
  if (url.username !== '' || url.password !== '') return false
  const host = url.hostname.toLowerCase()
  if (url.protocol === 'http:') return LOOPBACK.has(host) && allowedHosts.includes(host)
  if (url.protocol !== 'https:') return false
  return allowedHosts.some((allowed) => allowed.startsWith('.') ? host.endsWith(allowed) && host.length > allowed.length : host === allowed)
}
