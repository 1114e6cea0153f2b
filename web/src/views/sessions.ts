import type { Api } from '../api.js'
import { formatDateTime } from '../dates.js'
import { h, replaceChildren } from '../dom.js'
import type { Session } from '../types.js'

function deviceName (userAgent: string | null): string {
  if (userAgent === null || userAgent === '') return 'Unknown device'
  const os = /Android|iPhone|iPad|Mac OS X|Windows|Linux|CrOS/.exec(userAgent)?.[0] ?? ''
  const browser = /Firefox|Edg|OPR|Chrome|Safari/.exec(userAgent)?.[0] ?? ''
  const name = [browser === 'Edg' ? 'Edge' : browser, os === 'Mac OS X' ? 'Mac' : os].filter(Boolean).join(' on ')
  return name === '' ? userAgent.slice(0, 60) : name
}

/** Where I am logged in; any other device can be logged out (a lost phone). */
export function createSessionsView (api: Api, logout: () => void): HTMLElement {
  const list = h('ul', { className: 'sessions' })
  const status = h('p', { className: 'form-error', attrs: { role: 'alert' } })
  const logoutButton = h('button', { type: 'button', className: 'danger' }, 'Log out of this device')
  logoutButton.onclick = logout

  const load = async (): Promise<void> => {
    try {
      const { sessions } = await api.request<{ sessions: Session[] }>('GET', '/api/auth/sessions')
      replaceChildren(list, ...sessions.map((session) => {
        const item = h('li', { dataset: { sessionId: session.id } },
          h('div', {}, h('strong', {}, deviceName(session.userAgent), session.current ? ' (this device)' : ''),
            h('small', {}, `Logged in ${formatDateTime(session.createdAt)} · last seen ${formatDateTime(session.lastSeenAt)}`)))
        if (!session.current) {
          const revoke = h('button', { type: 'button' }, 'Log out')
          revoke.onclick = () => {
            revoke.disabled = true
            api.request('DELETE', `/api/auth/sessions/${encodeURIComponent(session.id)}`).then(load, (error: unknown) => {
              status.textContent = error instanceof Error ? error.message : 'Failed'
              revoke.disabled = false
            })
          }
          item.append(revoke)
        }
        return item
      }))
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : 'Could not load the sessions'
    }
  }
  load()

  return h('section', { className: 'room sessions-view' },
    h('header', { className: 'room-header' },
      h('a', { href: '#/', className: 'back', attrs: { 'aria-label': 'Back to conversations' } }, '‹'),
      h('div', {}, h('h2', { className: 'room-title' }, 'Your devices'))),
    h('div', { className: 'messages' }, list, status, logoutButton))
}
