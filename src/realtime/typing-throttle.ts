/** At most one relayed `typing` per connection and room per interval; the rest are dropped. */
export function createTypingThrottle (intervalMs: number, now: () => number = Date.now) {
  const lastSent = new Map<string, number>()
  return (roomId: string): boolean => {
    const at = now()
    const previous = lastSent.get(roomId)
    if (previous !== undefined && at - previous < intervalMs) return false
    lastSent.set(roomId, at)
    return true
  }
}
