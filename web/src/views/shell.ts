import type { Api } from '../api.js'
import type { Chat } from '../chat.js'
import { h } from '../dom.js'
import type { Notifications } from '../notifications.js'
import { Profile } from '../profile.js'
import { renderAvatar } from './avatar.js'
import { createProfileView } from './profile-view.js'
import { createRoomView, type RoomView } from './room-view.js'
import { renderRoomList } from './room-list.js'
import { createNotificationsPrompt } from './notifications-card.js'
import { createSearchView } from './search-view.js'
import { createSessionsView } from './sessions.js'

const STATUS_TEXT = { online: '', connecting: 'Connecting…', offline: 'Offline — reconnecting…' } as const

export interface ShellHost {
  logout (): void
  /** A password change gave this device a new token. */
  newToken (token: string): void
  notifications: Notifications
}

type Route =
  | { screen: 'room', roomId: string, seq: number | null }
  | { screen: 'search', roomId: string | null }
  | { screen: 'profile' | 'sessions' | 'home' }

function parseRoute (hash: string): Route {
  const room = /^#\/room\/([^/]+)(?:\/m\/(\d+))?$/.exec(hash)
  if (room?.[1] !== undefined) return { screen: 'room', roomId: decodeURIComponent(room[1]), seq: room[2] === undefined ? null : Number(room[2]) }
  const search = /^#\/search(?:\/([^/]+))?$/.exec(hash)
  if (search !== null) return { screen: 'search', roomId: search[1] === undefined ? null : decodeURIComponent(search[1]) }
  if (hash === '#/profile') return { screen: 'profile' }
  if (hash === '#/sessions') return { screen: 'sessions' }
  return { screen: 'home' }
}

/**
 * The signed-in page: conversations beside the open one on a wide screen, one at a time on a
 * phone. The URL hash says what is open (`#/room/<id>`, `#/room/<id>/m/<seq>` at a message,
 * `#/search[/<roomId>]`, `#/profile`, `#/sessions`), so Back works.
 */
export function startShell (root: HTMLElement, chat: Chat, api: Api, host: ShellHost): void {
  const banner = h('div', { className: 'status-banner', hidden: true, attrs: { role: 'status' } })
  const me = h('a', { href: '#/profile', className: 'me', title: 'Your profile, devices and logging out' })
  const search = h('a', { href: '#/search', className: 'icon-button search-link', attrs: { 'aria-label': 'Search all conversations' } }, '🔍')
  const nav = h('nav', { className: 'room-nav' })
  const sidebar = h('aside', { className: 'sidebar' },
    h('header', { className: 'sidebar-header' }, h('h1', {}, 'Family Chat'), search, me), createNotificationsPrompt(host.notifications), nav)
  const main = h('div', { className: 'main' })
  const shell = h('div', { className: 'shell' }, banner, sidebar, main)
  root.replaceChildren(shell)
  const profile = new Profile(api)

  let view: RoomView | null = null
  let viewRoomId: string | null = null
  let pending = false

  const startDirect = (userId: string): void => {
    chat.startDirect(userId).then((roomId) => { location.hash = `#/room/${encodeURIComponent(roomId)}` }, () => {})
  }
  const renderSidebar = (): void => {
    me.replaceChildren(renderAvatar({ name: chat.me.displayName, url: chat.me.avatarUrl }), h('span', {}, chat.me.displayName))
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
  const screenFor = (route: Route): HTMLElement => {
    switch (route.screen) {
      case 'room': {
        const roomView = createRoomView(chat, route.roomId)
        view = roomView
        if (route.seq !== null) roomView.showMessage(route.seq).catch(() => {})
        return roomView.el
      }
      case 'search': return createSearchView(chat, api, route.roomId)
      case 'profile': return createProfileView({ chat, profile, newToken: host.newToken, notifications: host.notifications })
      case 'sessions': return createSessionsView(api, host.logout)
      case 'home': return h('div', { className: 'placeholder' }, h('p', {}, 'Pick a conversation'))
    }
  }
  const route = (): void => {
    const next = parseRoute(location.hash)
    view = null
    viewRoomId = next.screen === 'room' ? next.roomId : null
    chat.openRoom(viewRoomId)
    main.replaceChildren(screenFor(next))
    shell.classList.toggle('in-room', next.screen !== 'home')
    renderSidebar()
  }
  const showStatus = (): void => {
    const text = STATUS_TEXT[chat.status]
    banner.textContent = text
    banner.hidden = text === ''
    shell.classList.toggle('offline', chat.status !== 'online')
  }

  // While the page is open but hidden, its title and the app badge say how much is unread.
  const showUnread = (): void => {
    const unread = chat.totalUnread()
    document.title = document.visibilityState === 'hidden' && unread > 0 ? `(${unread}) Family Chat` : 'Family Chat'
    host.notifications.badge(unread)
  }
  document.addEventListener('visibilitychange', showUnread)

  chat.subscribe((change) => {
    if (change.kind === 'status') return showStatus()
    if (change.kind === 'rooms') showUnread()
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
