import type { Chat, PendingUpload } from '../chat.js'
import { formatDateTime, formatTime } from '../dates.js'
import { h } from '../dom.js'
import type { PendingText } from '../outbox.js'
import { renderBody } from '../text.js'
import type { Message } from '../types.js'
import { openLightbox } from './lightbox.js'
import { photoPreview } from './photo-preview.js'

const SWIPE_TO_REPLY_PX = 60

export interface MessageActions {
  /** The message's one menu: react, reply, copy, edit, delete. */
  menu (message: Message): void
  /** Who reacted with what. */
  reactions (message: Message): void
  reply (message: Message): void
  /** Shows the message with this seq (a reply's original). */
  jumpTo (seq: number): void
}

export interface Quoted {
  senderId: string
  body: string
  hasImage: boolean
  deleted: boolean
}

export const asQuoted = (message: Message): Quoted & { seq: number } =>
  ({ seq: message.seq, senderId: message.senderId, body: message.body, hasImage: message.image !== null, deleted: message.deletedAt !== null })

/** What a reply shows of its original: the copy this device holds (it may be newer), else the server's quote. */
export function quotedOf (chat: Chat, message: Message): (Quoted & { seq: number }) | null {
  const quote = message.replyTo
  if (quote === null) return null
  const local = chat.rooms.get(message.roomId)?.messages.get(quote.id)
  if (local !== undefined) return asQuoted(local)
  return { seq: quote.seq, senderId: quote.senderId, body: quote.body, hasImage: quote.hasImage, deleted: quote.deletedAt !== null }
}

export function quoteText (quoted: Quoted): string {
  if (quoted.deleted) return 'Deleted message'
  const text = [...quoted.body].slice(0, 140).join('')
  return quoted.hasImage ? `📷 ${text || 'Photo'}` : text
}

export function renderQuote (chat: Chat, quoted: Quoted, onClick?: () => void): HTMLElement {
  const content = [h('span', { className: 'quote-sender' }, chat.displayName(quoted.senderId)), h('span', { className: 'quote-text' }, quoteText(quoted))]
  if (onClick === undefined) return h('div', { className: 'quote' }, ...content)
  const button = h('button', { type: 'button', className: 'quote', attrs: { 'aria-label': `Reply to ${chat.displayName(quoted.senderId)}: show the original` } }, ...content)
  button.onclick = (event) => {
    event.stopPropagation()
    onClick()
  }
  return button
}

function ticks (chat: Chat, message: Message): HTMLElement {
  const read = chat.isReadByOthers(message)
  return h('span', { className: read ? 'ticks read' : 'ticks sent', title: read ? 'Read' : 'Sent', attrs: { 'aria-label': read ? 'Read' : 'Sent' } }, read ? '✓✓' : '✓')
}

function reactionsRow (chat: Chat, message: Message, actions: MessageActions): HTMLElement | null {
  const entries = Object.entries(message.reactions).filter(([, users]) => users.length > 0)
  if (entries.length === 0) return null
  return h('div', { className: 'reactions' }, ...entries.map(([emoji, users]) => {
    const names = users.map((id) => chat.displayName(id)).join(', ')
    const chip = h('button', {
      type: 'button',
      className: users.includes(chat.me.id) ? 'reaction mine' : 'reaction',
      title: names,
      dataset: { emoji },
      attrs: { 'aria-label': `${emoji} ${users.length}: ${names}` }
    }, emoji, h('span', { className: 'count' }, String(users.length)))
    chip.onclick = (event) => {
      event.stopPropagation()
      actions.reactions(message)
    }
    return chip
  }))
}

/** A swipe to the right on a touch screen answers the message, as in every phone messenger. */
function swipeToReply (bubble: HTMLElement, reply: () => void): void {
  let start: { x: number, y: number, id: number } | null = null
  let dx = 0
  bubble.addEventListener('pointerdown', (event) => {
    if (event.pointerType === 'touch') start = { x: event.clientX, y: event.clientY, id: event.pointerId }
    dx = 0
  })
  bubble.addEventListener('pointermove', (event) => {
    if (start === null || event.pointerId !== start.id) return
    if (Math.abs(event.clientY - start.y) > 30) {
      start = null
      bubble.style.transform = ''
      return
    }
    dx = Math.max(0, Math.min(event.clientX - start.x, 90))
    bubble.style.transform = `translateX(${dx}px)`
  })
  const end = (): void => {
    if (start !== null && dx >= SWIPE_TO_REPLY_PX) reply()
    start = null
    bubble.style.transform = ''
  }
  bubble.addEventListener('pointerup', end)
  bubble.addEventListener('pointercancel', end)
}

/** A stored message: who, what, when, its reactions, and for my own the ticks. */
export function renderMessage (chat: Chat, message: Message, showSender: boolean, actions: MessageActions): HTMLElement {
  const mine = message.senderId === chat.me.id
  const deleted = message.deletedAt !== null
  const image = message.image
  const quoted = deleted ? null : quotedOf(chat, message)
  const bubble = h('div', { className: 'bubble' },
    showSender && !mine ? h('div', { className: 'sender' }, chat.displayName(message.senderId)) : null,
    quoted === null ? null : renderQuote(chat, quoted, () => actions.jumpTo(quoted.seq)),
    image !== null && !deleted
      ? h('button', { type: 'button', className: 'photo', attrs: { 'aria-label': 'Open photo' }, onclick: (event: MouseEvent) => { event.stopPropagation(); openLightbox(image.url, message.body) } },
        h('img', { src: image.thumbUrl, alt: message.body || 'Photo', width: image.width, height: image.height, loading: 'lazy', decoding: 'async' }))
      : null,
    deleted
      ? h('p', { className: 'body deleted' }, 'This message was deleted')
      : message.body === '' ? null : h('p', { className: 'body' }, ...renderBody(message.body)),
    h('div', { className: 'meta' },
      message.editedAt !== null && !deleted ? h('span', { className: 'edited' }, 'edited') : null,
      h('time', { dateTime: message.createdAt, title: formatDateTime(message.createdAt) }, formatTime(message.createdAt)),
      mine && !deleted ? ticks(chat, message) : null)
  )
  const item = h('li', { className: `message${mine ? ' mine' : ''}${deleted ? ' is-deleted' : ''}`, dataset: { id: message.id, seq: String(message.seq) } },
    h('div', { className: 'bubble-row' }, bubble))
  if (deleted) return item
  const more = h('button', { type: 'button', className: 'message-more', attrs: { 'aria-label': 'Message actions', 'aria-haspopup': 'dialog' } }, '⋯')
  more.onclick = (event) => {
    event.stopPropagation()
    actions.menu(message)
  }
  item.firstElementChild!.append(more)
  const row = reactionsRow(chat, message, actions)
  if (row !== null) item.append(row)
  // A tap on the bubble opens its menu (a long-press too: that is the context menu on a phone);
  // not when the tap ends a text selection or hits a link.
  bubble.onclick = (event) => {
    if (event.target instanceof Element && event.target.closest('a') !== null) return
    if ((getSelection()?.toString() ?? '') !== '') return
    actions.menu(message)
  }
  bubble.oncontextmenu = (event) => {
    if (event.target instanceof Element && event.target.closest('a, img') !== null) return
    event.preventDefault()
    actions.menu(message)
  }
  swipeToReply(bubble, () => actions.reply(message))
  return item
}

/** A text or photo of mine still on its way (or refused, with the reason and a way to discard it). */
export function renderPending (chat: Chat, pending: PendingText | PendingUpload, discard: (clientId: string) => void): HTMLElement {
  const isUpload = 'file' in pending
  const error = pending.error
  const original = pending.replyToId === undefined ? undefined : chat.rooms.get(pending.roomId)?.messages.get(pending.replyToId)
  const text = isUpload ? pending.caption : pending.body
  const bubble = h('div', { className: 'bubble' },
    original === undefined ? null : renderQuote(chat, asQuoted(original)),
    isUpload ? photoPreview(pending.file, pending.previewUrl, 'preview') : null,
    isUpload ? h('progress', { max: 1, value: pending.progress }) : null,
    text === '' ? null : h('p', { className: 'body' }, ...renderBody(text)),
    h('div', { className: 'meta' },
      error === undefined
        ? h('span', { className: 'ticks pending', title: 'Sending…' }, '🕓')
        : h('span', { className: 'send-error' }, `Not sent: ${error}`))
  )
  const item = h('li', { className: 'message mine pending', dataset: { clientId: pending.clientId } }, bubble)
  if (error !== undefined) {
    const button = h('button', { type: 'button', className: 'secondary' }, 'Discard')
    button.onclick = () => discard(pending.clientId)
    item.append(h('div', { className: 'actions' }, button))
  }
  return item
}
