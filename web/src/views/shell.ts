import type { Api } from '../api.js'
import type { Chat } from '../chat.js'
import { h } from '../dom.js'
import { createRoomView, type RoomView } from './room-view.js'
import { renderRoomList } from './room-list.js'
import { createSessionsView } from './sessions.js'

const STATUS_TEXT = { online: '', connecting: 'Connecting…', offline: 'Offline — reconnecting…' } as const

/**
 * The signed-in page: conversations beside the open one on a wide screen, one at a time on a
 * phone. The URL hash says what is open (`#/room/<id>`, `#/sessions`), so Back works.
 */
export function startShell (root: HTMLElement, chat: Chat, api: Api, logout: () => void): void {
  const banner = h('div', { className: 'status-banner', hidden: true, attrs: { role: 'status' } })
  const me = h('a', { href: '#/sessions', className: 'me', title: 'Your devices and logging out' })
  const nav = h('nav', { className: 'room-nav' })
  const sidebar = h('aside', { className: 'sidebar' },
    h('header', { className: 'sidebar-header' }, h('h1', {}, 'Family Chat'), me), nav)
  const main = h('div', { className: 'main' })
  const shell = h('div', { className: 'shell' }, banner, sidebar, main)
  root.replaceChildren(shell)

  let view: RoomView | null = null
  let viewRoomId: string | null = null
  let pending = false

  const startDirect = (userId: string): void => {
    chat.startDirect(userId).then((roomId) => { location.hash = `#/room/${encodeURIComponent(roomId)}` }, () => {})
  }
  const renderSidebar = (): void => {
    me.textContent = chat.me.displayName
    renderRoomList(nav, chat, startDirect)
  }
  // Many events can arrive in one burst: the open room is redrawn once per burst.
  const scheduleUpdate = (): void => {
    if (pending) return
    pending = true
    queueMicrotask(() => {
      pending = false
      view?.update()
    })
  }
  const route = (): void => {
    const match = /^#\/room\/(.+)$/.exec(location.hash)
    view = null
    viewRoomId = match?.[1] === undefined ? null : decodeURIComponent(match[1])
    chat.openRoom(viewRoomId)
    if (viewRoomId !== null) {
      view = createRoomView(chat, viewRoomId)
      main.replaceChildren(view.el)
    } else if (location.hash === '#/sessions') {
      main.replaceChildren(createSessionsView(api, logout))
    } else {
      main.replaceChildren(h('div', { className: 'placeholder' }, h('p', {}, 'Pick a conversation')))
    }
    shell.classList.toggle('in-room', viewRoomId !== null || location.hash === '#/sessions')
    renderSidebar()
  }
  const showStatus = (): void => {
    const text = STATUS_TEXT[chat.status]
    banner.textContent = text
    banner.hidden = text === ''
    shell.classList.toggle('offline', chat.status !== 'online')
  }

  chat.subscribe((change) => {
    if (change.kind === 'status') return showStatus()
    if (change.kind === 'room') {
      if (change.roomId === viewRoomId) scheduleUpdate()
      return
    }
    renderSidebar()
    view?.updateHeader()
    scheduleUpdate()
  })
  window.addEventListener('hashchange', route)
  route()
  showStatus()
}
