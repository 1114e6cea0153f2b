import { h } from '../dom.js'

export interface Sheet {
  body: HTMLElement
  close (): void
}

/**
 * A panel over the page (a bottom sheet on a phone, a small card on a wide screen) that closes on
 * Escape, a tap beside it, or `close()`; focus returns to where it was.
 */
export function openSheet (label: string, className = ''): Sheet {
  const body = h('div', { className: `sheet ${className}`.trim(), attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': label } })
  const backdrop = h('div', { className: 'sheet-backdrop' }, body)
  const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') close()
  }
  const close = (): void => {
    if (!backdrop.isConnected) return
    backdrop.remove()
    document.removeEventListener('keydown', onKey)
    returnTo?.focus({ preventScroll: true })
  }
  backdrop.onclick = (event) => {
    if (event.target === backdrop) close()
  }
  document.addEventListener('keydown', onKey)
  document.body.append(backdrop)
  return { body, close }
}
