import { h, replaceChildren } from '../dom.js'
import type { Notifications, Preview } from '../notifications.js'

const PREVIEWS: Array<[Preview, string]> = [
  ['full', 'Show who wrote and what'],
  ['sender', 'Show only who wrote'],
  ['none', 'Show only "New message"']
]

const IOS_HINT = 'To get notifications on an iPhone or iPad, first add Family Chat to your Home Screen (Share › Add to Home Screen), then open it from there.'

function enableButton (notifications: Notifications, status: HTMLElement): HTMLButtonElement {
  const button = h('button', { type: 'button', className: 'primary enable-notifications' }, 'Turn on notifications')
  // The permission prompt may only come from a tap: this is the one place that asks.
  button.onclick = async () => {
    button.disabled = true
    status.textContent = ''
    try {
      await notifications.enable()
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : 'Could not turn on notifications'
    } finally {
      button.disabled = false
    }
  }
  return button
}

/** In the conversation list: an offer to turn notifications on, while there is one to make. */
export function createNotificationsPrompt (notifications: Notifications): HTMLElement {
  const el = h('div', { className: 'notifications-prompt' })
  const render = (): void => {
    const status = h('p', { className: 'form-status', attrs: { role: 'status' } })
    if (notifications.state === 'ask') {
      replaceChildren(el, h('p', {}, 'Know when the family writes, even with the app closed.'), enableButton(notifications, status), status)
    } else if (notifications.state === 'ios-install') {
      replaceChildren(el, h('p', {}, IOS_HINT))
    } else {
      replaceChildren(el)
    }
    el.hidden = el.childElementCount === 0
  }
  notifications.subscribe(render)
  render()
  return el
}

/** In the profile: this device's notifications, on or off, and how much they show. */
export function createNotificationsSection (notifications: Notifications): HTMLElement {
  const body = h('div', {})
  const status = h('p', { className: 'form-status', attrs: { role: 'status' } })
  const select = h('select', { name: 'preview', attrs: { 'aria-label': 'What notifications show' } },
    ...PREVIEWS.map(([value, label]) => h('option', { value, selected: notifications.preview === value }, label)))
  select.onchange = () => {
    notifications.setPreview(select.value as Preview).then(() => { status.textContent = 'Saved for this device' }, () => { status.textContent = 'Could not save that' })
  }
  const render = (): void => {
    switch (notifications.state) {
      case 'on': {
        const off = h('button', { type: 'button' }, 'Turn off on this device')
        off.onclick = () => { notifications.disable().catch(() => { status.textContent = 'Could not turn notifications off' }) }
        return replaceChildren(body, h('p', {}, 'Notifications are on for this device.'), h('label', { className: 'field' }, 'On the lock screen', select), off)
      }
      case 'ask': return replaceChildren(body, h('p', {}, 'Notifications are off for this device.'), h('label', { className: 'field' }, 'On the lock screen', select), enableButton(notifications, status))
      case 'denied': return replaceChildren(body, h('p', {}, 'Notifications are blocked for this site. Allow them in the browser\'s site settings, then come back here.'))
      case 'ios-install': return replaceChildren(body, h('p', {}, IOS_HINT))
      case 'server-off': return replaceChildren(body, h('p', {}, 'This server does not send notifications (its admin has not set PUSH_CONTACT).'))
      case 'unsupported': return replaceChildren(body, h('p', {}, 'This browser cannot show notifications from Family Chat.'))
    }
  }
  notifications.subscribe(render)
  render()
  return h('section', { className: 'card notifications-card' }, h('h3', {}, 'Notifications'), body, status)
}
