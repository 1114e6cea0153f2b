import type { Chat } from '../chat.js'
import { formatDay, sameDay } from '../dates.js'
import { h, replaceChildren } from '../dom.js'
import type { Message } from '../types.js'
import { createComposer } from './composer.js'
import { asQuoted, quotedOf, renderMessage, renderPending, renderQuote, type MessageActions } from './message-item.js'
import { openMessageMenu, openReactionDetails } from './message-menu.js'
import { createMuteSelect } from './room-mute.js'

const NEAR_BOTTOM_PX = 80
const NEAR_TOP_PX = 200

export interface RoomView {
  el: HTMLElement
  update (): void
  updateHeader (): void
  /** Scrolls to the message with this seq, loading older pages if needed, and marks it briefly. */
  showMessage (seq: number): Promise<void>
}

const quoteKey = (quoted: { body: string, deleted: boolean, hasImage: boolean }): string => `${quoted.deleted}|${quoted.hasImage}|${quoted.body}`

/** One conversation: header, history (older pages load on scrolling up), typing line, composer. */
export function createRoomView (chat: Chat, roomId: string): RoomView {
  const title = h('h2', { className: 'room-title' })
  const subtitle = h('p', { className: 'room-subtitle' })
  const typingLine = h('p', { className: 'typing', attrs: { 'aria-live': 'polite' } })
  const failed = (error: unknown): void => {
    typingLine.textContent = error instanceof Error ? error.message : 'That did not work'
  }
  const mute = createMuteSelect(chat, roomId, failed)
  const header = h('header', { className: 'room-header' },
    h('a', { href: '#/', className: 'back', attrs: { 'aria-label': 'Back to conversations' } }, '‹'),
    h('div', { className: 'room-heading' }, title, subtitle),
    mute.el,
    h('a', { href: `#/search/${encodeURIComponent(roomId)}`, className: 'icon-button search-link', attrs: { 'aria-label': 'Search this conversation' } }, '🔍'))
  const older = h('p', { className: 'older' })
  const list = h('ol', { className: 'message-list', attrs: { 'aria-live': 'polite' } })
  const scroller = h('div', { className: 'messages' }, older, list)
  // Elements are reused while a message is unchanged, so photos are not reloaded on every event.
  const rendered = new Map<string, { signature: string, el: HTMLElement }>()

  const composer = createComposer({
    send: (body, replyToId) => chat.sendText(roomId, body, replyToId),
    sendPhoto: (file, caption, replyToId) => chat.sendPhoto(roomId, file, caption, replyToId),
    saveEdit: (message, body) => chat.edit(message.id, body),
    typing: () => chat.typing(roomId)
  })
  const react = (message: Message, emoji: string | null): void => { chat.react(message.id, emoji).catch(failed) }
  const reply = (message: Message): void => composer.startReply(message, renderQuote(chat, asQuoted(message)))
  const menuHandlers = {
    react,
    reply,
    edit: (message: Message) => composer.startEdit(message),
    remove: (message: Message) => { chat.remove(message.id).catch(failed) }
  }
  const actions: MessageActions = {
    menu: (message) => openMessageMenu(chat, message, menuHandlers),
    reactions: (message) => openReactionDetails(chat, message, react),
    reply,
    jumpTo: (seq) => { showMessage(seq).catch(failed) }
  }

  const el = h('section', { className: 'room', dataset: { roomId } }, header, scroller, typingLine, composer.el)

  scroller.onscroll = () => {
    if (scroller.scrollTop < NEAR_TOP_PX) chat.loadOlder(roomId).catch(() => {})
  }

  function updateHeader (): void {
    const room = chat.rooms.get(roomId)?.room
    if (room === undefined) return
    title.textContent = chat.roomName(room) || 'Direct chat'
    mute.update(room)
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
    const anchor = list.querySelector<HTMLElement>('.message[data-id]')
    const anchorId = anchor?.dataset.id
    const anchorOffset = anchor === null ? 0 : anchor.offsetTop - scroller.scrollTop
    const group = state.room.kind === 'group'
    const items: HTMLElement[] = []
    const keep = new Set<string>()
    let previous: Message | null = null
    for (const message of chat.messagesOf(roomId)) {
      const newDay = previous === null || !sameDay(previous.createdAt, message.createdAt)
      if (newDay) items.push(h('li', { className: 'day-separator', attrs: { role: 'separator' } }, h('span', {}, formatDay(message.createdAt))))
      const showSender = group && (newDay || message.senderId !== previous?.senderId)
      previous = message
      const quoted = quotedOf(chat, message)
      const names = [message.senderId, quoted?.senderId, ...Object.values(message.reactions).flat()].map((id) => id === undefined ? '' : chat.displayName(id)).join()
      const signature = `${message.eventSeq}|${showSender}|${names}|${chat.isReadByOthers(message)}|${quoted === null ? '' : quoteKey(quoted)}`
      let entry = rendered.get(message.id)
      if (entry?.signature !== signature) {
        entry = { signature, el: renderMessage(chat, message, showSender, actions) }
        rendered.set(message.id, entry)
      }
      keep.add(message.id)
      items.push(entry.el)
    }
    for (const id of rendered.keys()) if (!keep.has(id)) rendered.delete(id)
    for (const upload of chat.uploads.items) if (upload.roomId === roomId) items.push(renderPending(chat, upload, (id) => chat.discardPending(id)))
    for (const text of chat.outbox.forRoom(roomId)) items.push(renderPending(chat, text, (id) => chat.discardPending(id)))
    replaceChildren(list, ...items)

    older.textContent = !state.loaded ? 'Loading…' : state.loadingOlder ? 'Loading older messages…' : state.hasOlder ? '' : 'The beginning of this conversation'
    const typing = chat.typingIn(roomId)
    typingLine.textContent = typing.length === 0 ? '' : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`

    const anchorNow = anchorId === undefined ? undefined : rendered.get(anchorId)?.el
    if (atBottom || anchor === null) {
      scroller.scrollTop = scroller.scrollHeight
    } else if (anchorNow !== undefined && list.querySelector('.message[data-id]') !== anchorNow) {
      // Older messages were added above: keep what the reader was looking at in place.
      scroller.scrollTop = anchorNow.offsetTop - anchorOffset
    }
    // A short first page cannot be scrolled, so nothing would ever ask for the older ones.
    if (state.loaded && state.hasOlder && scroller.scrollHeight <= scroller.clientHeight) chat.loadOlder(roomId).catch(() => {})
  }

  async function showMessage (seq: number): Promise<void> {
    const found = await chat.loadUntil(roomId, seq)
    update()
    const target = found ? list.querySelector<HTMLElement>(`.message[data-seq="${seq}"]`) : null
    if (target === null) throw new Error('That message is no longer in this conversation')
    target.scrollIntoView({ block: 'center' })
    // Restarts the highlight when the same message is shown twice.
    target.classList.remove('flash')
    requestAnimationFrame(() => target.classList.add('flash'))
  }

  updateHeader()
  update()
  return { el, update, updateHeader, showMessage }
}
