import { h } from '../dom.js'
import { EMOJI } from '../emoji.js'
import type { Message } from '../types.js'
import { photoPreview } from './photo-preview.js'

export interface ComposerHandlers {
  send (body: string, replyToId?: string): void
  sendPhoto (file: File, caption: string, replyToId?: string): void
  saveEdit (message: Message, body: string): Promise<void>
  typing (): void
}

export interface Composer {
  el: HTMLElement
  startEdit (message: Message): void
  /** Answers a message; `quote` is how the banner shows it. */
  startReply (message: Message, quote: HTMLElement): void
  focus (): void
}

function cancelButton (label: string, onclick: () => void): HTMLButtonElement {
  return h('button', { type: 'button', className: 'secondary small', onclick, attrs: { 'aria-label': label } }, 'Cancel')
}

/** Text (Enter sends, Shift+Enter is a new line), emoji, a photo with a caption, replies and editing. */
export function createComposer (handlers: ComposerHandlers): Composer {
  let editing: Message | null = null
  let replyingTo: Message | null = null
  let photo: File | null = null
  let previewUrl: string | null = null

  const text = h('textarea', { rows: 1, placeholder: 'Message', maxLength: 4000, attrs: { 'aria-label': 'Message' } })
  const sendButton = h('button', { type: 'submit', className: 'send', attrs: { 'aria-label': 'Send' } }, '➤')
  const fileInput = h('input', { type: 'file', accept: 'image/*,.heic,.heif', hidden: true, attrs: { 'aria-label': 'Photo' } })
  const photoButton = h('button', { type: 'button', className: 'icon-button', attrs: { 'aria-label': 'Send a photo' } }, '📷')
  const emojiButton = h('button', { type: 'button', className: 'icon-button', attrs: { 'aria-label': 'Emoji', 'aria-expanded': 'false' } }, '😊')
  const picker = h('div', { className: 'emoji-picker', hidden: true },
    ...EMOJI.map((emoji) => {
      const button = h('button', { type: 'button' }, emoji)
      button.onclick = () => insert(emoji)
      return button
    }))
  const editBanner = h('div', { className: 'composer-banner', hidden: true })
  const replyBanner = h('div', { className: 'composer-banner reply-banner', hidden: true })
  const photoBanner = h('div', { className: 'composer-banner photo-banner', hidden: true })
  const form = h('form', { className: 'composer' }, editBanner, replyBanner, photoBanner, picker,
    h('div', { className: 'composer-row' }, photoButton, fileInput, emojiButton, text, sendButton))

  const resize = (): void => {
    text.style.height = 'auto'
    text.style.height = `${Math.min(text.scrollHeight, 160)}px`
  }
  const closePicker = (): void => {
    picker.hidden = true
    emojiButton.setAttribute('aria-expanded', 'false')
  }
  const insert = (value: string): void => {
    const start = text.selectionStart
    text.setRangeText(value, start, text.selectionEnd, 'end')
    closePicker()
    text.focus()
    resize()
  }
  const clearPhoto = (): void => {
    if (previewUrl !== null) URL.revokeObjectURL(previewUrl)
    photo = null
    previewUrl = null
    photoBanner.hidden = true
    photoBanner.replaceChildren()
    fileInput.value = ''
    text.placeholder = 'Message'
  }
  const stopReply = (): void => {
    replyingTo = null
    replyBanner.hidden = true
    replyBanner.replaceChildren()
  }
  const stopEdit = (): void => {
    editing = null
    editBanner.hidden = true
    text.value = ''
    resize()
  }
  const submit = (): void => {
    const body = text.value
    if (editing !== null) {
      const message = editing
      if (body.trim() === '') return
      handlers.saveEdit(message, body).then(stopEdit, (error: unknown) => {
        editBanner.dataset.error = error instanceof Error ? error.message : 'Could not save'
      })
      return
    }
    const replyToId = replyingTo?.id
    if (photo !== null) {
      handlers.sendPhoto(photo, body.trim(), replyToId)
      clearPhoto()
    } else {
      if (body.trim() === '') return
      handlers.send(body, replyToId)
    }
    stopReply()
    text.value = ''
    resize()
  }

  form.onsubmit = (event) => {
    event.preventDefault()
    submit()
  }
  text.onkeydown = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      submit()
    } else if (event.key === 'Escape') {
      if (editing !== null) stopEdit()
      else stopReply()
    }
  }
  text.oninput = () => {
    resize()
    if (text.value !== '' && editing === null) handlers.typing()
  }
  emojiButton.onclick = () => {
    picker.hidden = !picker.hidden
    emojiButton.setAttribute('aria-expanded', String(!picker.hidden))
  }
  photoButton.onclick = () => fileInput.click()
  fileInput.onchange = () => {
    const file = fileInput.files?.[0]
    if (file === undefined) return
    clearPhoto()
    photo = file
    previewUrl = URL.createObjectURL(file)
    photoBanner.replaceChildren(photoPreview(file, previewUrl, 'photo-to-send'), cancelButton('Cancel the photo', clearPhoto))
    photoBanner.hidden = false
    text.placeholder = 'Add a caption'
    text.focus()
  }

  return {
    el: form,
    startEdit (message) {
      clearPhoto()
      stopReply()
      editing = message
      editBanner.replaceChildren(h('span', {}, 'Editing your message'), cancelButton('Cancel editing', stopEdit))
      delete editBanner.dataset.error
      editBanner.hidden = false
      text.value = message.body
      resize()
      text.focus()
    },
    startReply (message, quote) {
      if (editing !== null) stopEdit()
      replyingTo = message
      replyBanner.replaceChildren(quote, cancelButton('Cancel the reply', stopReply))
      replyBanner.hidden = false
      text.focus()
    },
    focus () {
      text.focus()
    }
  }
}
