import type { Chat } from '../chat.js'
import { formatWhen } from '../dates.js'
import { h, replaceChildren } from '../dom.js'
import type { Message, Room } from '../types.js'
import { renderAvatar } from './avatar.js'
import { isMuted } from './room-mute.js'

/** "You: see you at 7", "Mum: 📷 Photo", "Message deleted". */
function preview (chat: Chat, room: Room, message: Message): string {
  const what = message.deletedAt !== null
    ? 'Message deleted'
    : message.image !== null ? `📷 ${message.body || 'Photo'}` : message.body
  if (message.senderId === chat.me.id) return `You: ${what}`
  return room.kind === 'group' ? `${chat.displayName(message.senderId)}: ${what}` : what
}

function roomEntry (chat: Chat, room: Room, active: boolean): HTMLElement {
  const other = room.kind === 'direct' ? chat.otherMember(room) : undefined
  const name = chat.roomName(room) || 'Direct chat'
  const last = room.lastMessage
  return h('li', {},
    h('a', { href: `#/room/${encodeURIComponent(room.id)}`, className: active ? 'room-link active' : 'room-link', dataset: { roomId: room.id } },
      renderAvatar({ name, url: other?.avatarUrl, online: other?.online === true, group: room.kind === 'group' }),
      h('span', { className: 'room-text' },
        h('span', { className: 'room-line' },
          h('span', { className: 'room-name' }, name),
          isMuted(room) ? h('span', { className: 'muted', attrs: { 'aria-label': 'muted', title: 'Muted' } }, '🔕') : null,
          last === null ? null : h('time', { className: 'room-when', dateTime: last.createdAt }, formatWhen(last.createdAt))),
        h('span', { className: 'room-line' },
          h('span', { className: 'room-preview' }, last === null ? 'No messages yet' : preview(chat, room, last)),
          room.unread > 0 ? h('span', { className: 'badge', attrs: { 'aria-label': `${room.unread} unread` } }, room.unread >= 1000 ? '999+' : String(room.unread)) : null))
    )
  )
}

/** The rooms by latest activity, then the family members one can start a direct chat with. */
export function renderRoomList (el: HTMLElement, chat: Chat, onStartDirect: (userId: string) => void): void {
  const rooms = chat.roomsByActivity()
  const withDirect = new Set(rooms.filter((r) => r.kind === 'direct').flatMap((r) => r.members))
  const others = [...chat.users.values()].filter((u) => u.id !== chat.me.id && !withDirect.has(u.id))
  replaceChildren(el,
    h('ul', { className: 'rooms', attrs: { 'aria-label': 'Conversations' } }, ...rooms.map((room) => roomEntry(chat, room, room.id === chat.openRoomId))),
    others.length > 0 ? h('h2', {}, 'Start a chat') : null,
    others.length > 0
      ? h('ul', { className: 'people' }, ...others.map((user) => {
        const button = h('button', { type: 'button', className: 'person', dataset: { userId: user.id } },
          renderAvatar({ name: user.displayName, url: user.avatarUrl, online: user.online }),
          h('span', { className: 'room-text' }, h('span', { className: 'room-name' }, user.displayName), h('small', {}, user.online ? 'online' : `@${user.username}`)))
        button.onclick = () => onStartDirect(user.id)
        return h('li', {}, button)
      }))
      : null
  )
}
