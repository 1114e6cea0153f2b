import type { Chat } from '../chat.js'
import { h } from '../dom.js'
import type { Room } from '../types.js'

type Choice = 'on' | '8h' | 'always'

const EIGHT_HOURS_MS = 8 * 3600_000

export function muteChoice (room: Room, now = Date.now()): Choice {
  if (room.notify === 'none') return 'always'
  return room.mutedUntil !== null && Date.parse(room.mutedUntil) > now ? '8h' : 'on'
}

/** Whether a room stays quiet on this member's devices now. */
export const isMuted = (room: Room): boolean => muteChoice(room) !== 'on'

const SETTINGS: Record<Choice, () => { notify: 'all' | 'none', mutedUntil: string | null }> = {
  on: () => ({ notify: 'all', mutedUntil: null }),
  '8h': () => ({ notify: 'all', mutedUntil: new Date(Date.now() + EIGHT_HOURS_MS).toISOString() }),
  always: () => ({ notify: 'none', mutedUntil: null })
}

/** The room's notifications for me: on, muted for 8 hours, or muted. */
export function createMuteSelect (chat: Chat, roomId: string, failed: (error: unknown) => void): { el: HTMLSelectElement, update (room: Room): void } {
  const el = h('select', { className: 'mute-select', attrs: { 'aria-label': 'Notifications for this conversation' } },
    h('option', { value: 'on' }, '🔔 On'),
    h('option', { value: '8h' }, '🔕 8 hours'),
    h('option', { value: 'always' }, '🔕 Muted'))
  el.onchange = () => {
    chat.setRoomNotifications(roomId, SETTINGS[el.value as Choice]()).catch(failed)
  }
  return {
    el,
    update (room) {
      if (document.activeElement !== el) el.value = muteChoice(room)
    }
  }
}
