import { h } from '../dom.js'

/** A photo at full size over the page, with a way to save it; a click or Escape closes it. */
export function openLightbox (url: string, alt: string): void {
  const image = h('img', { src: url, alt })
  const close = h('button', { type: 'button', className: 'lightbox-close', attrs: { 'aria-label': 'Close' } }, '✕')
  // A same-origin photo downloads under its own file name; a Cloudinary one opens in a tab to be saved there.
  const name = new URL(url, location.href).pathname.split('/').pop() ?? 'photo'
  const save = h('a', { href: url, download: name, className: 'lightbox-save', target: '_blank', rel: 'noopener' }, 'Save photo')
  save.onclick = (event) => event.stopPropagation()
  const overlay = h('div', { className: 'lightbox', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Photo' } }, image, close, save)
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') dismiss()
  }
  const dismiss = (): void => {
    overlay.remove()
    document.removeEventListener('keydown', onKey)
  }
  overlay.onclick = dismiss
  document.addEventListener('keydown', onKey)
  document.body.append(overlay)
  close.focus()
}
