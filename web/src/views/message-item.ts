import type { Chat, PendingUpload } from '../chat.js'
import { formatDateTime, formatTime, h } from '../dom.js'
import type { PendingText } from '../outbox.js'
import { renderBody } from '../text.js'
import type { Message } from '../types.js'
import { openLightbox } from './lightbox.js'

export interface MessageActions {
  edit (message: Message): void
  remove (message: Message): void
}

function ticks (chat: Chat, message: Message): HTMLElement {
  const read = chat.isReadByOthers(message)
  return h('span', { className: read ? 'ticks read' : 'ticks', title: read ? 'Read' : 'Sent' }, read ? '✓✓' : '✓')
}

function actionsFor (message: Message, actions: MessageActions): HTMLElement {
  const edit = h('button', { type: 'button', className: 'action-edit' }, 'Edit')
  const remove = h('button', { type: 'button', className: 'action-delete' }, 'Delete')
  edit.onclick = (event) => {
    event.stopPropagation()
    actions.edit(message)
  }
  // Two steps: a family photo deleted by a stray tap is gone for everyone.
  remove.onclick = (event) => {
    event.stopPropagation()
    if (remove.dataset.confirm === undefined) {
      remove.dataset.confirm = ''
      remove.textContent = 'Delete for everyone?'
      return
    }
    actions.remove(message)
  }
  return h('div', { className: 'actions' }, message.image === null ? edit : null, remove)
}

/** A stored message: who, what, when, and for my own the ticks and actions. */
export function renderMessage (chat: Chat, message: Message, showSender: boolean, actions: MessageActions): HTMLElement {
  const mine = message.senderId === chat.me.id
  const deleted = message.deletedAt !== null
  const image = message.image
  const bubble = h('div', { className: 'bubble' },
    showSender && !mine ? h('div', { className: 'sender' }, chat.displayName(message.senderId)) : null,
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
  const item = h('li', { className: `message${mine ? ' mine' : ''}${deleted ? ' is-deleted' : ''}`, dataset: { id: message.id, seq: String(message.seq) } }, bubble)
  if (mine && !deleted) {
    item.append(actionsFor(message, actions))
    bubble.onclick = () => item.classList.toggle('show-actions')
  }
  return item
}

/** A text or photo of mine still on its way (or refused, with the reason and a way to discard it). */
export function renderPending (pending: PendingText | PendingUpload, discard: (clientId: string) => void): HTMLElement {
  const isUpload = 'file' in pending
  const error = pending.error
  const bubble = h('div', { className: 'bubble' },
    isUpload ? h('img', { className: 'preview', src: pending.previewUrl, alt: 'Photo being sent' }) : null,
    isUpload ? h('progress', { max: 1, value: pending.progress }) : null,
    (isUpload ? pending.caption : pending.body) === '' ? null : h('p', { className: 'body' }, ...renderBody(isUpload ? pending.caption : pending.body)),
    h('div', { className: 'meta' },
      error === undefined
        ? h('span', { className: 'ticks pending', title: 'Sending…' }, '🕓')
        : h('span', { className: 'send-error' }, `Not sent: ${error}`))
  )
  const item = h('li', { className: 'message mine pending', dataset: { clientId: pending.clientId } }, bubble)
  if (error !== undefined) {
    const button = h('button', { type: 'button' }, 'Discard')
    button.onclick = () => discard(pending.clientId)
    item.append(h('div', { className: 'actions' }, button))
    item.classList.add('show-actions')
  }
  return item
}
