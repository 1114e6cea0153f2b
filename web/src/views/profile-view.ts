import type { Chat } from '../chat.js'
import { h } from '../dom.js'
import type { Notifications } from '../notifications.js'
import type { Profile } from '../profile.js'
import { createNotificationsSection } from './notifications-card.js'
import { createAvatarCrop, type AvatarCrop } from './avatar-crop.js'
import { renderAvatar } from './avatar.js'

export interface ProfileViewHost {
  chat: Chat
  profile: Profile
  /** The password changed: this device's new token. */
  newToken (token: string): void
  notifications: Notifications
}

const message = (error: unknown, fallback: string): string => error instanceof Error ? error.message : fallback

function field (label: string, input: HTMLInputElement): HTMLElement {
  return h('label', { className: 'field' }, label, input)
}

function photoSection ({ chat, profile }: ProfileViewHost): HTMLElement {
  const current = h('div', { className: 'profile-photo' })
  const fileInput = h('input', { type: 'file', accept: 'image/*,.heic,.heif', hidden: true, attrs: { 'aria-label': 'New photo' } })
  const choose = h('button', { type: 'button', className: 'secondary' }, 'Choose a photo')
  const remove = h('button', { type: 'button', className: 'secondary action-remove-photo' }, 'Remove photo')
  const save = h('button', { type: 'button', className: 'primary' }, 'Use this photo')
  const cancel = h('button', { type: 'button', className: 'secondary' }, 'Cancel')
  const status = h('p', { className: 'form-status', attrs: { role: 'status' } })
  const editor = h('div', { className: 'crop-editor', hidden: true })
  let crop: AvatarCrop | null = null

  const show = (): void => {
    current.replaceChildren(renderAvatar({ name: chat.me.displayName, url: chat.me.avatarUrl }))
    remove.hidden = chat.me.avatarUrl === null
  }
  const closeEditor = (): void => {
    crop?.dispose()
    crop = null
    editor.hidden = true
    editor.replaceChildren()
    fileInput.value = ''
  }
  choose.onclick = () => fileInput.click()
  fileInput.onchange = () => {
    const file = fileInput.files?.[0]
    if (file === undefined) return
    closeEditor()
    crop = createAvatarCrop(file)
    editor.replaceChildren(crop.el, h('div', { className: 'button-row' }, save, cancel))
    editor.hidden = false
    status.textContent = ''
  }
  cancel.onclick = closeEditor
  save.onclick = async () => {
    if (crop === null) return
    save.disabled = true
    status.textContent = 'Saving…'
    try {
      const blob = await crop.result()
      const user = await profile.setPhoto(blob, blob instanceof File ? blob.name : 'photo.jpg')
      chat.applyProfile(user)
      closeEditor()
      status.textContent = 'Photo saved'
    } catch (error) {
      status.textContent = message(error, 'Could not save the photo')
    } finally {
      save.disabled = false
    }
  }
  remove.onclick = async () => {
    remove.disabled = true
    try {
      chat.applyProfile(await profile.removePhoto())
      status.textContent = 'Photo removed'
    } catch (error) {
      status.textContent = message(error, 'Could not remove the photo')
    } finally {
      remove.disabled = false
    }
  }
  // The view is in the page before any change can arrive; once it has left, it stops listening.
  const stop = chat.subscribe((change) => {
    if (!current.isConnected) stop()
    else if (change.kind === 'users') show()
  })
  show()
  return h('section', { className: 'card profile-photo-card' }, h('h3', {}, 'Photo'), current, h('div', { className: 'button-row' }, choose, remove), fileInput, editor, status)
}

function nameSection ({ chat, profile }: ProfileViewHost): HTMLElement {
  const input = h('input', { name: 'displayName', value: chat.me.displayName, required: true, maxLength: 64, attrs: { autocomplete: 'nickname' } })
  const status = h('p', { className: 'form-status', attrs: { role: 'status' } })
  const save = h('button', { type: 'submit', className: 'primary' }, 'Save name')
  const form = h('form', { className: 'card profile-name' }, h('h3', {}, 'Your name'), field('Shown to the family as', input), save, status)
  form.onsubmit = async (event) => {
    event.preventDefault()
    save.disabled = true
    try {
      const user = await profile.rename(input.value)
      chat.applyProfile(user)
      input.value = user.displayName
      status.textContent = 'Name saved'
    } catch (error) {
      status.textContent = message(error, 'Could not save the name')
    } finally {
      save.disabled = false
    }
  }
  return form
}

function passwordSection ({ profile, newToken }: ProfileViewHost): HTMLElement {
  const current = h('input', { name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password' })
  const next = h('input', { name: 'newPassword', type: 'password', required: true, minLength: 8, maxLength: 128, autocomplete: 'new-password' })
  const again = h('input', { name: 'confirmPassword', type: 'password', required: true, autocomplete: 'new-password' })
  const status = h('p', { className: 'form-status', attrs: { role: 'status' } })
  const save = h('button', { type: 'submit', className: 'primary' }, 'Change password')
  const form = h('form', { className: 'card profile-password' }, h('h3', {}, 'Password'),
    field('Current password', current), field('New password (at least 8 characters)', next), field('New password again', again), save, status)
  form.onsubmit = async (event) => {
    event.preventDefault()
    if (next.value !== again.value) {
      status.textContent = 'The new passwords are not the same'
      return
    }
    save.disabled = true
    try {
      newToken(await profile.changePassword(current.value, next.value))
      form.reset()
      status.textContent = 'Password changed. Your other devices were logged out.'
    } catch (error) {
      status.textContent = (error as { code?: string }).code === 'invalid_credentials' ? 'The current password is wrong' : message(error, 'Could not change the password')
    } finally {
      save.disabled = false
    }
  }
  return form
}

/** My profile: photo (chosen, cropped square), name, password, this device's notifications; and where I am logged in. */
export function createProfileView (host: ProfileViewHost): HTMLElement {
  return h('section', { className: 'room profile-view' },
    h('header', { className: 'room-header' },
      h('a', { href: '#/', className: 'back', attrs: { 'aria-label': 'Back to conversations' } }, '‹'),
      h('div', {}, h('h2', { className: 'room-title' }, 'Your profile'))),
    h('div', { className: 'messages profile-sections' },
      photoSection(host), nameSection(host), passwordSection(host), createNotificationsSection(host.notifications),
      h('a', { href: '#/sessions', className: 'card devices-link' }, 'Your devices and logging out ›')))
}
