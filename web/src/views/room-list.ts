import type { Chat } from '../chat.js'
import { h, replaceChildren } from '../dom.js'
import type { Room } from '../types.js'

function roomEntry (chat: Chat, room: Room, active: boolean): HTMLElement {
  const other = room.kind === 'direct' ? chat.otherMember(room) : undefined
  const online = room.kind === 'group'
    ? room.members.filter((id) => id !== chat.me.id && chat.users.get(id)?.online === true).length
    : 0
  return h('li', {},
    h('a', { href: `#/room/${encodeURIComponent(room.id)}`, className: active ? 'room-link active' : 'room-link', dataset: { roomId: room.id } },
      h('span', { className: room.kind === 'direct' ? 'avatar' : 'avatar group' }, (room.name.trim()[0] ?? '#').toUpperCase(),
        other?.online === true ? h('span', { className: 'online-dot', title: 'online' }) : null),
      h('span', { className: 'room-name' }, room.name || 'Direct chat',
        room.kind === 'group' && online > 0 ? h('small', {}, `${online} online`) : null),
      room.unread > 0 ? h('span', { className: 'badge', attrs: { 'aria-label': `${room.unread} unread` } }, room.unread >= 1000 ? '999+' : String(room.unread)) : null
    )
  )
}

/** The rooms, then the family members one can start a direct chat with. */
export function renderRoomList (el: HTMLElement, chat: Chat, onStartDirect: (userId: string) => void): void {
  const rooms = [...chat.rooms.values()].map((s) => s.room)
  const withDirect = new Set(rooms.filter((r) => r.kind === 'direct').flatMap((r) => r.members))
  const others = [...chat.users.values()].filter((u) => u.id !== chat.me.id && !withDirect.has(u.id))
  replaceChildren(el,
    h('ul', { className: 'rooms', attrs: { 'aria-label': 'Conversations' } }, ...rooms.map((room) => roomEntry(chat, room, room.id === chat.openRoomId))),
    others.length > 0 ? h('h2', {}, 'Start a chat') : null,
    others.length > 0
      ? h('ul', { className: 'people' }, ...others.map((user) => {
        const button = h('button', { type: 'button', className: 'person', dataset: { userId: user.id } },
          h('span', { className: 'avatar' }, (user.displayName[0] ?? '?').toUpperCase(), user.online ? h('span', { className: 'online-dot', title: 'online' }) : null),
          h('span', { className: 'room-name' }, user.displayName, h('small', {}, user.online ? 'online' : `@${user.username}`)))
        button.onclick = () => onStartDirect(user.id)
        return h('li', {}, button)
      }))
      : null
  )
}
