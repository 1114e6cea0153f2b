const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/

function linkTo (candidate: string): HTMLAnchorElement | null {
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  const a = document.createElement('a')
  a.href = url.href
  a.target = '_blank'
  a.rel = 'noopener noreferrer'
  a.textContent = candidate
  return a
}

/** A message body as text nodes, with http(s) links made clickable; never parsed as HTML. */
export function renderBody (body: string): Node[] {
  const nodes: Node[] = []
  let last = 0
  for (const match of body.matchAll(URL_PATTERN)) {
    const start = match.index
    const raw = match[0].replace(TRAILING_PUNCTUATION, '')
    const link = linkTo(raw)
    if (link === null) continue
    if (start > last) nodes.push(document.createTextNode(body.slice(last, start)))
    nodes.push(link)
    last = start + raw.length
  }
  if (last < body.length) nodes.push(document.createTextNode(body.slice(last)))
  return nodes
}
