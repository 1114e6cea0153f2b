import { h } from '../dom.js'

const HEIC = /\.(heic|heif)$/i

/** Browsers other than Safari cannot draw HEIC: such a photo is previewed by a placeholder. */
export function isHeic (file: File): boolean {
  return file.type === 'image/heic' || file.type === 'image/heif' || HEIC.test(file.name)
}

function placeholder (className: string): HTMLElement {
  return h('div', { className: `${className} photo-placeholder`, attrs: { role: 'img', 'aria-label': 'Photo (no preview)' } },
    h('span', { attrs: { 'aria-hidden': 'true' } }, '📷'), h('small', {}, 'HEIC photo — shown once sent'))
}

/** A local photo's preview, or a placeholder where the browser cannot draw it. */
export function photoPreview (file: File, url: string, className: string): HTMLElement {
  if (isHeic(file)) return placeholder(className)
  const image = h('img', { className, src: url, alt: 'Photo to send' })
  image.onerror = () => image.replaceWith(placeholder(className))
  return image
}
