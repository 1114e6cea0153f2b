const SECRET_PARAMS = new Set(['token'])

/**
 * A request URL fit for a log line. Browsers pass the WebSocket token in the query string, and
 * Fastify's query parser decodes names (`?%74oken=` is `token`), so the redaction works on the
 * decoded names too: whatever the encoding, the value of a secret parameter is replaced.
 */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const pairs = url.slice(q + 1).split('&')
  let changed = false
  const redacted = pairs.map((pair) => {
    const eq = pair.indexOf('=')
    const rawName = eq === -1 ? pair : pair.slice(0, eq)
    let name: string
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '))
    } catch {
      name = rawName
    }
    if (!SECRET_PARAMS.has(name.trim().toLowerCase())) return pair
    changed = true
    return `${rawName}=[redacted]`
  })
  return changed ? `${url.slice(0, q)}?${redacted.join('&')}` : url
}
