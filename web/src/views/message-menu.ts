import type { Chat } from '../chat.js'
import { h } from '../dom.js'
import { EMOJI, QUICK_REACTIONS } from '../emoji.js'
import type { Message } from '../types.js'
import { openSheet } from './sheet.js'

export interface MessageMenuHandlers {
  react (message: Message, emoji: string | null): void
  reply (message: Message): void
  edit (message: Message): void
  remove (message: Message): void
}

/** My reaction to a message, if I left one. */
export function myReaction (chat: Chat, message: Message): string | null {
  return Object.entries(message.reactions).find(([, users]) => users.includes(chat.me.id))?.[0] ?? null
}

async function copyText (text: string): Promise<void> {
  // The async clipboard needs a secure context; a family server on a LAN address is plain http.
  if (navigator.clipboard !== undefined && isSecureContext) return navigator.clipboard.writeText(text)
  const area = h('textarea', { value: text, readOnly: true, className: 'offscreen' })
  document.body.append(area)
  area.select()
  document.execCommand('copy')
  area.remove()
}

function emojiButton (emoji: string, chosen: boolean, pick: (emoji: string) => void): HTMLButtonElement {
  const button = h('button', { type: 'button', className: chosen ? 'chosen' : '', attrs: { 'aria-label': `React ${emoji}`, 'aria-pressed': String(chosen) } }, emoji)
  button.onclick = () => pick(emoji)
  return button
}

/**
 * Everything one can do with a message, in one place: a row of reactions (the one I chose again
 * takes it back; "+" shows them all), then reply, copy, and for my own edit and delete.
 */
export function openMessageMenu (chat: Chat, message: Message, handlers: MessageMenuHandlers): void {
  const sheet = openSheet('Message actions', 'message-menu')
  const mine = message.senderId === chat.me.id
  const current = myReaction(chat, message)
  const pick = (emoji: string): void => {
    sheet.close()
    handlers.react(message, emoji === current ? null : emoji)
  }
  const all = h('div', { className: 'emoji-grid', hidden: true }, ...EMOJI.map((emoji) => emojiButton(emoji, emoji === current, pick)))
  const moreEmoji = h('button', { type: 'button', className: 'more-emoji', attrs: { 'aria-label': 'More reactions', 'aria-expanded': 'false' } }, '+')
  moreEmoji.onclick = () => {
    all.hidden = !all.hidden
    moreEmoji.setAttribute('aria-expanded', String(!all.hidden))
  }
  const action = (label: string, className: string, run: () => void): HTMLButtonElement => {
    const button = h('button', { type: 'button', className: `menu-item ${className}` }, label)
    button.onclick = run
    return button
  }
  const remove = action('Delete', 'action-delete', () => {
    // Two steps: a family photo deleted by a stray tap is gone for everyone.
    if (remove.dataset.confirm === undefined) {
      remove.dataset.confirm = ''
      remove.textContent = 'Delete for everyone?'
      return
    }
    sheet.close()
    handlers.remove(message)
  })
  const copy = action('Copy text', 'action-copy', () => {
    copyText(message.body).then(() => sheet.close(), () => { copy.textContent = 'Could not copy' })
  })
  sheet.body.append(
    h('div', { className: 'quick-reactions' }, ...QUICK_REACTIONS.map((emoji) => emojiButton(emoji, emoji === current, pick)), moreEmoji),
    all,
    h('div', { className: 'menu-items' },
      action('Reply', 'action-reply', () => { sheet.close(); handlers.reply(message) }),
      message.body === '' ? null : copy,
      mine && message.image === null ? action('Edit', 'action-edit', () => { sheet.close(); handlers.edit(message) }) : null,
      mine ? remove : null,
      action('Cancel', 'action-cancel secondary', () => sheet.close()))
  )
  sheet.body.querySelector<HTMLButtonElement>('.quick-reactions button')?.focus()
}

/** Who reacted with what; my own can be taken back from here. */
export function openReactionDetails (chat: Chat, message: Message, react: (message: Message, emoji: string | null) => void): void {
  const sheet = openSheet('Reactions', 'reaction-details')
  const mine = myReaction(chat, message)
  const rows = Object.entries(message.reactions).filter(([, users]) => users.length > 0).map(([emoji, users]) =>
    h('li', {}, h('span', { className: 'reaction-emoji' }, emoji), h('span', {}, users.map((id) => id === chat.me.id ? 'You' : chat.displayName(id)).join(', '))))
  const takeBack = h('button', { type: 'button', className: 'menu-item action-unreact' }, `Remove my ${mine ?? ''}`)
  takeBack.onclick = () => {
    sheet.close()
    react(message, null)
  }
  const close = h('button', { type: 'button', className: 'menu-item secondary' }, 'Close')
  close.onclick = () => sheet.close()
  sheet.body.append(h('h3', {}, 'Reactions'), h('ul', { className: 'reaction-list' }, ...rows), h('div', { className: 'menu-items' }, mine === null ? null : takeBack, close))
  close.focus()
}
