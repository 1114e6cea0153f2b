import { Api, ApiError } from './api.js'
import { Chat } from './chat.js'
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
  history.replaceState(null, '', '/')
  showLogin(notice)
}

function start (session: SavedSession): void {
  api.token = session.token
  chat = new Chat(api, session.user, () => signedOut('You were logged out'))
  startShell(root, chat, api, {
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
  chat.start()
}

api.onUnauthorized = () => signedOut('Your session has ended; please log in again')

const saved = readSession()
if (saved === null) {
  showLogin()
} else {
  // Offline, the saved user is enough to show what this device has; the socket keeps trying.
  start(saved)
}
