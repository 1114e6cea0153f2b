import { h } from '../dom.js'

/** The sign-in form; `signIn` rejects with a message to show. */
export function renderLogin (root: HTMLElement, signIn: (username: string, password: string) => Promise<void>, notice?: string): void {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: false, attrs: { 'aria-label': 'Username' } })
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, attrs: { 'aria-label': 'Password' } })
  const error = h('p', { className: 'form-error', attrs: { role: 'alert' } }, notice ?? '')
  const button = h('button', { type: 'submit', className: 'primary' }, 'Log in')
  const form = h('form', { className: 'login-form' },
    h('img', { src: '/app/icon.svg', alt: '', className: 'login-logo', width: 72, height: 72 }),
    h('h1', {}, 'Family Chat'),
    h('label', {}, 'Username', username),
    h('label', {}, 'Password', password),
    error,
    button
  )
  form.onsubmit = (event) => {
    event.preventDefault()
    button.disabled = true
    error.textContent = ''
    signIn(username.value.trim().toLowerCase(), password.value).catch((err: unknown) => {
      error.textContent = err instanceof Error ? err.message : 'Could not log in'
      button.disabled = false
      password.select()
    })
  }
  root.replaceChildren(h('main', { className: 'login' }, form))
  username.focus()
}
