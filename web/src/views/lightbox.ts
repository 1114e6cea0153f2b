import { h } from '../dom.js'

/** A photo at full size over the page; a click or Escape closes it. */
export function openLightbox (url: string, alt: string): void {
  const image = h('img', { src: url, alt })
  const close = h('button', { type: 'button', className: 'lightbox-close', attrs: { 'aria-label': 'Close' } }, '✕')
  const overlay = h('div', { className: 'lightbox', attrs: { role: 'dialog', 'aria-modal': 'true' } }, image, close)
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
