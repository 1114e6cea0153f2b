import { h } from '../dom.js'

export interface AvatarOptions {
  name: string
  url?: string | null
  online?: boolean
  group?: boolean
}

/** A member's photo, or their initial on a coloured disc; with a dot when they are online. */
export function renderAvatar ({ name, url, online = false, group = false }: AvatarOptions): HTMLElement {
  const initial = ([...name.trim()][0] ?? (group ? '#' : '?')).toUpperCase()
  const face = url === undefined || url === null
    ? initial
    : h('img', { src: url, alt: '', width: 40, height: 40, loading: 'lazy', decoding: 'async' })
  return h('span', { className: group ? 'avatar group' : 'avatar', attrs: { 'aria-hidden': 'true' } }, face,
    online ? h('span', { className: 'online-dot', title: 'online' }) : null)
}
