import type { Api } from '../api.js'
import type { Chat } from '../chat.js'
import { formatDateTime, formatWhen } from '../dates.js'
import { h, replaceChildren } from '../dom.js'
import { searchMessages } from '../search.js'
import type { Message } from '../types.js'

const TYPING_PAUSE_MS = 250

/** The body with each word of the query that starts a word marked, as text nodes only. */
function highlighted (body: string, q: string): Node[] {
  const words = q.toLocaleLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return [document.createTextNode(body)]
  const nodes: Node[] = []
  // Word starts, accents folded the way the server folds them, so "ecole" marks "École".
  const folded = body.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase()
  const sameLength = folded.length === body.length
  let last = 0
  for (const match of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!sameLength || !words.some((w) => match[0].startsWith(w.normalize('NFD').replace(/\p{M}/gu, '')))) continue
    if (match.index > last) nodes.push(document.createTextNode(body.slice(last, match.index)))
    nodes.push(h('mark', {}, body.slice(match.index, match.index + match[0].length)))
    last = match.index + match[0].length
  }
  if (last < body.length) nodes.push(document.createTextNode(body.slice(last)))
  return nodes
}

/**
 * Search in every conversation (`#/search`) or in one (`#/search/<roomId>`): newest first, each
 * result with its room, sender and time; a tap opens the room at that message.
 */
export function createSearchView (chat: Chat, api: Api, roomId: string | null): HTMLElement {
  const room = roomId === null ? undefined : chat.rooms.get(roomId)?.room
  const input = h('input', { type: 'search', name: 'q', placeholder: room === undefined ? 'Search all conversations' : `Search in ${chat.roomName(room)}`, autocomplete: 'off', enterKeyHint: 'search', attrs: { 'aria-label': 'Search messages' } })
  const results = h('ol', { className: 'search-results', attrs: { 'aria-live': 'polite' } })
  const status = h('p', { className: 'search-status' })
  const more = h('button', { type: 'button', className: 'secondary', hidden: true }, 'More results')
  let query = ''
  let cursor: string | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  const result = (message: Message): HTMLElement => {
    const inRoom = chat.rooms.get(message.roomId)?.room
    const link = h('a', { className: 'search-result', href: `#/room/${encodeURIComponent(message.roomId)}/m/${message.seq}` },
      h('span', { className: 'search-context' },
        h('strong', {}, chat.displayName(message.senderId)),
        roomId === null && inRoom !== undefined ? h('span', {}, ` in ${chat.roomName(inRoom)}`) : null,
        h('time', { dateTime: message.createdAt, title: formatDateTime(message.createdAt) }, formatWhen(message.createdAt))),
      h('span', { className: 'search-body' }, message.image !== null ? '📷 ' : '', ...highlighted(message.body, query)))
    return h('li', {}, link)
  }

  const load = async (fresh: boolean): Promise<void> => {
    const mine = ++generation
    if (fresh) cursor = null
    status.textContent = 'Searching…'
    more.hidden = true
    try {
      const page = await searchMessages(api, query, roomId, cursor)
      if (mine !== generation) return
      if (fresh) replaceChildren(results)
      results.append(...page.messages.map(result))
      cursor = page.nextCursor
      more.hidden = cursor === null
      status.textContent = results.childElementCount === 0 ? `Nothing found for “${query}”` : ''
    } catch (error) {
      if (mine === generation) status.textContent = error instanceof Error ? error.message : 'Search failed'
    }
  }

  input.oninput = () => {
    clearTimeout(timer)
    query = input.value.trim()
    if (query === '') {
      generation++
      replaceChildren(results)
      status.textContent = ''
      more.hidden = true
      return
    }
    timer = setTimeout(() => { load(true).catch(() => {}) }, TYPING_PAUSE_MS)
  }
  more.onclick = () => { load(false).catch(() => {}) }
  const back = roomId === null ? '#/' : `#/room/${encodeURIComponent(roomId)}`
  const view = h('section', { className: 'room search-view' },
    h('header', { className: 'room-header' },
      h('a', { href: back, className: 'back', attrs: { 'aria-label': 'Back' } }, '‹'),
      h('form', { className: 'search-form', role: 'search', onsubmit: (event: SubmitEvent) => { event.preventDefault(); clearTimeout(timer); if (query !== '') load(true).catch(() => {}) } }, input)),
    h('div', { className: 'messages' }, results, status, more))
  queueMicrotask(() => input.focus())
  return view
}
