import { h } from '../dom.js'
import { isHeic } from './photo-preview.js'

const OUTPUT_PX = 512
const MAX_ZOOM = 3

export interface AvatarCrop {
  el: HTMLElement
  /** The square to upload: cropped here when the browser can draw the photo, else the file as it is. */
  result (): Promise<Blob>
  dispose (): void
}

/**
 * A chosen photo in a round frame: drag to move it, the slider to zoom, and what the frame shows is
 * what everyone sees. A HEIC photo (which Chromium and Firefox cannot draw) goes as it is and the
 * server crops it around its most striking part.
 */
export function createAvatarCrop (file: File): AvatarCrop {
  const url = URL.createObjectURL(file)
  const frame = h('div', { className: 'crop-frame' })
  const zoom = h('input', { type: 'range', min: '1', max: String(MAX_ZOOM), step: '0.01', value: '1', attrs: { 'aria-label': 'Zoom' } })
  const el = h('div', { className: 'avatar-crop' }, frame, zoom)
  let drawable = !isHeic(file)
  const image = h('img', { src: url, alt: 'Your new photo', draggable: false })
  let offset = { x: 0, y: 0 }

  const size = (): { frame: number, scale: number } => {
    const side = frame.clientWidth || 240
    return { frame: side, scale: side / Math.min(image.naturalWidth, image.naturalHeight) * Number(zoom.value) }
  }
  // The photo always covers the frame: no empty corner can be chosen.
  const place = (): void => {
    const { frame: side, scale } = size()
    const width = image.naturalWidth * scale
    const height = image.naturalHeight * scale
    offset = { x: Math.min(0, Math.max(side - width, offset.x)), y: Math.min(0, Math.max(side - height, offset.y)) }
    image.style.width = `${width}px`
    image.style.height = `${height}px`
    image.style.transform = `translate(${offset.x}px, ${offset.y}px)`
  }
  const placeholder = (): void => {
    drawable = false
    zoom.hidden = true
    frame.replaceChildren(h('div', { className: 'photo-placeholder' }, h('span', { attrs: { 'aria-hidden': 'true' } }, '📷'), h('small', {}, 'Cropped around the face once saved')))
  }
  if (!drawable) {
    placeholder()
  } else {
    frame.append(image)
    image.onload = () => {
      const { frame: side, scale } = size()
      offset = { x: (side - image.naturalWidth * scale) / 2, y: (side - image.naturalHeight * scale) / 2 }
      place()
    }
    image.onerror = placeholder
  }
  zoom.oninput = () => {
    // Zoom around the frame's centre.
    const before = size()
    const centre = { x: (before.frame / 2 - offset.x) / before.scale, y: (before.frame / 2 - offset.y) / before.scale }
    const after = { scale: before.frame / Math.min(image.naturalWidth, image.naturalHeight) * Number(zoom.value) }
    offset = { x: before.frame / 2 - centre.x * after.scale, y: before.frame / 2 - centre.y * after.scale }
    place()
  }
  let drag: { x: number, y: number, start: { x: number, y: number } } | null = null
  frame.onpointerdown = (event) => {
    if (!drawable) return
    frame.setPointerCapture(event.pointerId)
    drag = { x: event.clientX, y: event.clientY, start: offset }
  }
  frame.onpointermove = (event) => {
    if (drag === null) return
    offset = { x: drag.start.x + event.clientX - drag.x, y: drag.start.y + event.clientY - drag.y }
    place()
  }
  frame.onpointerup = () => { drag = null }

  return {
    el,
    async result () {
      if (!drawable || !image.complete || image.naturalWidth === 0) return file
      const { scale } = size()
      const side = size().frame / scale
      const out = Math.min(OUTPUT_PX, Math.round(side))
      const canvas = h('canvas', { width: out, height: out })
      canvas.getContext('2d')?.drawImage(image, -offset.x / scale, -offset.y / scale, side, side, 0, 0, out, out)
      return new Promise((resolve, reject) => canvas.toBlob((blob) => blob === null ? reject(new Error('Could not crop the photo')) : resolve(blob), 'image/jpeg', 0.92))
    },
    dispose () {
      URL.revokeObjectURL(url)
    }
  }
}
