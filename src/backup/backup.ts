import type { Database } from '../../db/client.js'
import { schemaVersionOf } from '../../db/migrate.js'
import { BACKUP_TABLES, tableRows, type BackupTable } from '../../db/snapshot.js'
import type { MediaStore } from '../media/media-store.js'
import { ArchiveWriter, dataEntryName, MEDIA_PREFIX } from './archive.js'
import { mediaPairsOf, type MediaPair } from './media-pairs.js'

export interface BackupSummary {
  path: string
  schemaVersion: number
  /** Rows per table. */
  rows: Record<string, number>
  /** Photos and avatars, and how many of them were gone from storage when copied. */
  images: number
  missingImages: number
  bytes: number
}

/**
 * Writes a whole family to one archive (src/backup/archive.ts). The tables are read from one snapshot,
 * so the archive is the database at one moment; the photos they name are copied after it (their
 * files never change once written, so the moment holds for them too).
 */
export async function writeBackup (database: Database, media: MediaStore, path: string): Promise<BackupSummary> {
  const writer = await ArchiveWriter.create(path)
  try {
    const pairs: MediaPair[] = []
    const rows: Record<string, number> = {}
    const schemaVersion = await database.snapshot(async (db, source) => {
      for (const spec of BACKUP_TABLES) rows[spec.name] = await writer.addLines(dataEntryName(spec.name), linesOf(tableRows(db, spec, source), spec, pairs))
      return await schemaVersionOf(db)
    })
    let missingImages = 0
    for (const pair of pairs) {
      for (const key of pair.imageKey === pair.thumbKey ? [pair.imageKey] : [pair.imageKey, pair.thumbKey]) {
        const file = await media.read(key)
        if (file === null) {
          // Deleted after the snapshot (a message deleted meanwhile): the archive keeps its row as it was.
          missingImages += 1
          continue
        }
        await writer.addFile(MEDIA_PREFIX + key, file.size, file.body)
      }
    }
    const manifest = await writer.finish(schemaVersion)
    const bytes = manifest.entries.reduce((sum, e) => sum + e.size, 0)
    return { path, schemaVersion, rows, images: pairs.length, missingImages, bytes }
  } catch (err) {
    await writer.abort()
    throw err
  }
}

async function * linesOf (batches: AsyncIterable<string[]>, spec: BackupTable, pairs: MediaPair[]): AsyncGenerator<string> {
  for await (const batch of batches) {
    if (spec.media.length > 0) pairs.push(...mediaPairsOf(spec, batch))
    yield * batch
  }
}

/** "3 users, 2 rooms, 1,204 messages, 57 photos and avatars (12.4 MB)". */
export function describeBackup (summary: BackupSummary): string {
  const n = (value: number | undefined): string => (value ?? 0).toLocaleString('en-US')
  const missing = summary.missingImages === 0 ? '' : `; ${n(summary.missingImages)} image file(s) were deleted while it ran and are not in it`
  return `${n(summary.rows.users)} users, ${n(summary.rows.rooms)} rooms, ${n(summary.rows.messages)} messages, ` +
    `${n(summary.images)} photos and avatars (${(summary.bytes / 1e6).toFixed(1)} MB)${missing}`
}

/** The admin command's work (src/admin/commands.ts): a backup to `out`, described in one line. */
export const backupWith = (database: Database, media: () => Promise<MediaStore> | MediaStore) => async (out: string): Promise<string> => {
  const summary = await writeBackup(database, await media(), out)
  return `wrote ${summary.path}: ${describeBackup(summary)}`
}
