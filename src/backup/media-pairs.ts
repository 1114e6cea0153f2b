import type { BackupTable } from '../../db/snapshot.js'

/** One stored image of a row: the full file and its thumbnail (the same key on Cloudinary). */
export interface MediaPair {
  imageKey: string
  thumbKey: string
  /** The table it belongs to decides how a missing thumbnail is made again. */
  table: string
}

/** The images named by rows given as the JSON text of whole rows. */
export function mediaPairsOf (spec: BackupTable, lines: readonly string[]): MediaPair[] {
  const pairs: MediaPair[] = []
  for (const line of lines) {
    const row = JSON.parse(line) as Record<string, unknown>
    for (const [full, thumb] of spec.media) {
      const imageKey = row[full]
      const thumbKey = row[thumb]
      if (typeof imageKey === 'string' && typeof thumbKey === 'string') pairs.push({ imageKey, thumbKey, table: spec.name })
    }
  }
  return pairs
}
