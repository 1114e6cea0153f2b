import type { Chat } from '../chat.js'
import { h, replaceChildren } from '../dom.js'
import type { Message } from '../types.js'
import { createComposer } from './composer.js'
import { renderMessage, renderPending } from './message-item.js'

const NEAR_BOTTOM_PX = 80
const NEAR_TOP_PX = 200

export interface RoomView {
  el: HTMLElement
  update (): void
  updateHeader (): void
}

/** One conversation: header, history (older pages load on scrolling up), typing line, composer. */
export function createRoomView (chat: Chat, roomId: string): RoomView {
  const title = h('h2', { className: 'room-title' })
  const subtitle = h('p', { className: 'room-subtitle' })
  const header = h('header', { className: 'room-header' },
    h('a', { href: '#/', className: 'back', attrs: { 'aria-label': 'Back to conversations' } }, '‹'),
    h('div', {}, title, subtitle))
  const older = h('p', { className: 'older' })
  const list = h('ol', { className: 'message-list', attrs: { 'aria-live': 'polite' } })
  const scroller = h('div', { className: 'messages' }, older, list)
  const typingLine = h('p', { className: 'typing', attrs: { 'aria-live': 'polite' } })
  // Elements are reused while a message is unchanged, so photos are not reloaded on every event.
  const rendered = new Map<string, { signature: string, el: HTMLElement }>()

  const composer = createComposer({
    send: (body) => chat.sendText(roomId, body),
    sendPhoto: (file, caption) => chat.sendPhoto(roomId, file, caption),
    saveEdit: (message, body) => chat.edit(message.id, body),
    typing: () => chat.typing(roomId)
  })
  const actions = {
    edit: (message: Message) => composer.startEdit(message),
    remove: (message: Message) => { chat.remove(message.id).catch(() => {}) }
  }

  const el = h('section', { className: 'room', dataset: { roomId } }, header, scroller, typingLine, composer.el)

  scroller.onscroll = () => {
    if (scroller.scrollTop < NEAR_TOP_PX) chat.loadOlder(roomId).catch(() => {})
  }

  function updateHeader (): void {
    const room = chat.rooms.get(roomId)?.room
    if (room === undefined) return
    title.textContent = room.name || 'Direct chat'
    if (room.kind === 'direct') {
      const other = chat.otherMember(room)
      subtitle.textContent = other?.online === true ? 'online' : ''
    } else {
      const online = room.members.filter((id) => id !== chat.me.id && chat.users.get(id)?.online === true).length
      subtitle.textContent = `${room.members.length} members${online > 0 ? `, ${online} online` : ''}`
    }
  }

  function update (): void {
    const state = chat.rooms.get(roomId)
    if (state === undefined) return
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX
    // The first message shown is the anchor: by id, as its element may be redrawn.
    const anchor = list.firstElementChild instanceof HTMLElement ? list.firstElementChild : null
    const anchorId = anchor?.dataset.id
    const anchorOffset = anchor === null ? 0 : anchor.offsetTop - scroller.scrollTop
    const group = state.room.kind === 'group'
    const items: HTMLElement[] = []
    const keep = new Set<string>()
    let previousSender: string | null = null
    for (const message of chat.messagesOf(roomId)) {
      const showSender = group && message.senderId !== previousSender
      previousSender = message.senderId
      const signature = `${message.eventSeq}|${showSender}|${chat.displayName(message.senderId)}|${chat.isReadByOthers(message)}`
      let entry = rendered.get(message.id)
      if (entry?.signature !== signature) {
        entry = { signature, el: renderMessage(chat, message, showSender, actions) }
        rendered.set(message.id, entry)
      }
      keep.add(message.id)
      items.push(entry.el)
    }
    for (const id of rendered.keys()) if (!keep.has(id)) rendered.delete(id)
    for (const upload of chat.uploads.items) if (upload.roomId === roomId) items.push(renderPending(upload, (id) => chat.discardPending(id)))
    for (const text of chat.outbox.forRoom(roomId)) items.push(renderPending(text, (id) => chat.discardPending(id)))
    replaceChildren(list, ...items)

    older.textContent = !state.loaded ? 'Loading…' : state.loadingOlder ? 'Loading older messages…' : state.hasOlder ? '' : 'The beginning of this conversation'
    const typing = chat.typingIn(roomId)
    typingLine.textContent = typing.length === 0 ? '' : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`

    const anchorNow = anchorId === undefined ? undefined : rendered.get(anchorId)?.el
    if (atBottom || anchor === null) {
      scroller.scrollTop = scroller.scrollHeight
    } else if (anchorNow !== undefined && list.firstElementChild !== anchorNow) {
      // Older messages were added above: keep what the reader was looking at in place.
      scroller.scrollTop = anchorNow.offsetTop - anchorOffset
    }
    // A short first page cannot be scrolled, so nothing would ever ask for the older ones.
    if (state.loaded && state.hasOlder && scroller.scrollHeight <= scroller.clientHeight) chat.loadOlder(roomId).catch(() => {})
  }

  updateHeader()
  update()
  return { el, update, updateHeader }
}
