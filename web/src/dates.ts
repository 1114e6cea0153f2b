const DAY_MS = 86_400_000

function startOfDay (date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime()
}

/** "9:05 PM" in 12-hour locales (no leading zero), "21:05" in 24-hour ones. */
export function formatTime (iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })
}

export function formatDateTime (iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
}

/** Days before today, by the calendar (not by 24-hour spans). */
function daysAgo (iso: string, now = new Date()): number {
  return Math.round((startOfDay(now) - startOfDay(new Date(iso))) / DAY_MS)
}

/** A day separator in a room: Today, Yesterday, a weekday this week, else a date. */
export function formatDay (iso: string, now = new Date()): string {
  const ago = daysAgo(iso, now)
  if (ago === 0) return 'Today'
  if (ago === 1) return 'Yesterday'
  const date = new Date(iso)
  if (ago > 1 && ago < 7) return date.toLocaleDateString([], { weekday: 'long' })
  const sameYear = date.getFullYear() === now.getFullYear()
  return date.toLocaleDateString([], sameYear ? { weekday: 'short', day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' })
}

/** A conversation's last activity in the list: a time today, then Yesterday, then a short date. */
export function formatWhen (iso: string, now = new Date()): string {
  const ago = daysAgo(iso, now)
  if (ago === 0) return formatTime(iso)
  if (ago === 1) return 'Yesterday'
  const date = new Date(iso)
  if (ago > 1 && ago < 7) return date.toLocaleDateString([], { weekday: 'short' })
  return date.toLocaleDateString([], date.getFullYear() === now.getFullYear() ? { day: 'numeric', month: 'short' } : { dateStyle: 'short' })
}

export function sameDay (a: string, b: string): boolean {
  return startOfDay(new Date(a)) === startOfDay(new Date(b))
}
