import { Api, ApiError } from './api.js'
import { Chat } from './chat.js'
import { Notifications } from './notifications.js'
import { KEPT_PER_ROOM, OfflineStore } from './offline-store.js'
import type { User } from './types.js'
import { renderLogin } from './views/login.js'
import { startShell } from './views/shell.js'

const SESSION_KEY = 'family-chat.session'

interface SavedSession {
  token: string
  user: User
}

const root = document.getElementById('app')!
const api = new Api()
let chat: Chat | null = null
let offline: OfflineStore | null = null
const notifications = new Notifications(api)
const installed = notifications.install((roomId) => { location.hash = `#/room/${encodeURIComponent(roomId)}` }).catch(() => {})

function readSession (): SavedSession | null {
  try {
    const saved = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as SavedSession | null
    return typeof saved?.token === 'string' && typeof saved.user?.id === 'string' ? saved : null
  } catch {
    return null
  }
}

function showLogin (notice?: string): void {
  renderLogin(root, async (username, password) => {
    try {
      const session = await api.request<SavedSession>('POST', '/api/auth/login', { username, password })
      localStorage.setItem(SESSION_KEY, JSON.stringify(session))
      start(session)
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_credentials') throw new Error('Wrong username or password')
      throw error
    }
  }, notice)
}

function signedOut (notice?: string): void {
  if (api.token === null) return
  chat?.stop()
  chat = null
  api.token = null
  localStorage.removeItem(SESSION_KEY)
  // What this device kept of the family is not left behind for the next person.
  offline?.clear().catch(() => {})
  offline = null
  notifications.badge(0)
  history.replaceState(null, '', '/')
  showLogin(notice)
}

function start (session: SavedSession): void {
  api.token = session.token
  const current = chat = new Chat(api, session.user, () => signedOut('You were logged out'))
  const store = offline = new OfflineStore(session.user.id)
  current.readHere = (roomId) => notifications.roomRead(roomId)
  installed.then(() => notifications.refresh()).catch(() => {})
  current.subscribe(() => store.saveSoon(() => current.snapshot(KEPT_PER_ROOM)))
  startShell(root, current, api, {
    notifications,
    logout () {
      chat?.stop()
      // Even if the server cannot be told, this device forgets the token.
      api.request('POST', '/api/auth/logout').catch(() => {}).finally(() => signedOut())
    },
    newToken (token) {
      api.token = token
      localStorage.setItem(SESSION_KEY, JSON.stringify({ ...session, token }))
    }
  })
  // What this device had shows at once (without a network, it is all there is); then live.
  store.load().then((snapshot) => { if (snapshot !== null && chat === current) current.restore(snapshot) }, () => {})
    .finally(() => { if (chat === current) current.start() })
}

api.onUnauthorized = () => signedOut('Your session has ended; please log in again')

const saved = readSession()
if (saved === null) {
  showLogin()
} else {
  // Offline, the saved user is enough to show what this device has; the socket keeps trying.
  start(saved)
}
