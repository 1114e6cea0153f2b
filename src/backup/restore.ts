import { readdir } from 'node:fs/promises'
import { openDatabase, type Database } from '../../db/client.js'
import { DataDirLockedError } from '../../db/data-dir-lock.js'
import { currentSchemaVersion, schemaVersionOf } from '../../db/migrate.js'
import { BACKUP_TABLES, holdsNoFamily, insertRows, moveMediaKeys, removeSeededRooms, type BackupTable, type MediaMove } from '../../db/snapshot.js'
import type { Db } from '../../db/types.js'
import type { Config } from '../config.js'
import { createImagePipeline, type ImagePipeline } from '../media/image-pipeline.js'
import type { MediaStore } from '../media/media-store.js'
import { localMediaDir, openMediaStore } from '../media/open-store.js'
import { ArchiveError, dataEntryName, entryLines, MANIFEST_ENTRY, MEDIA_PREFIX, readBody, readEntries, verifyArchive, type Manifest } from './archive.js'
import { mediaPairsOf, type MediaPair } from './media-pairs.js'

/** The target cannot take a restore (not empty, a server on it…): nothing was changed. */
export class RestoreRefused extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RestoreRefused'
  }
}

export interface RestoreSummary {
  schemaVersion: number
  rows: Record<string, number>
  images: number
}

const INSERT_BATCH = 500

/**
 * Loads an archive into the configured database and media storage, which must hold no family yet.
 * The archive is checked whole before anything is touched; the load is one transaction, and the
 * media stored for it are removed again if it fails. An older archive loads into the schema it was
 * written with, which is then migrated forward like any database.
 */
export async function restoreBackup (archivePath: string, config: Config): Promise<RestoreSummary> {
  const current = currentSchemaVersion()
  const manifest = await verifyArchive(archivePath, current)
  if (config.cloudinaryUrl === null && (await readdir(localMediaDir(config.dataDir)).catch(() => [])).length > 0) {
    throw new RestoreRefused(`${localMediaDir(config.dataDir)} already holds photos: restore into a new DATA_DIR`)
  }
  let database: Database
  try {
    // An older archive needs the schema as it was, which the embedded database's template is not.
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, template: manifest.schemaVersion === current })
  } catch (err) {
    if (err instanceof DataDirLockedError) throw new RestoreRefused(`${err.message}: stop the server first`)
    throw err
  }
  const pipeline = createImagePipeline()
  try {
    await prepareTarget(database, manifest.schemaVersion)
    const { store } = await openMediaStore({ dataDir: config.dataDir, secret: config.jwtSecret, cloudinaryUrl: config.cloudinaryUrl })
    const summary = await load(database.db, archivePath, manifest, store, pipeline)
    await database.migrate()
    return summary
  } finally {
    await pipeline.close()
    await database.close()
  }
}

/** Checks the target holds no family and brings an empty one to the archive's schema version. */
async function prepareTarget (database: Database, archiveVersion: number): Promise<void> {
  const version = await schemaVersionOf(database.db)
  // Looked at before migrating anything, so a refused target is left exactly as it was.
  if (version > 0 && !await holdsNoFamily(database.db)) {
    throw new RestoreRefused('the target database already holds a family: restore into a new DATA_DIR or an empty PostgreSQL database')
  }
  if (version > archiveVersion) {
    throw new RestoreRefused(`the target database already has a newer schema (${version}) than the archive (${archiveVersion}): restore into a database with no tables`)
  }
  await database.migrate({ upTo: archiveVersion, seed: false })
}

interface PendingImage { pair: MediaPair, full?: Buffer, thumb?: Buffer }

async function load (db: Db, archivePath: string, manifest: Manifest, store: MediaStore, pipeline: ImagePipeline): Promise<RestoreSummary> {
  const tables = new Map(BACKUP_TABLES.map((spec) => [dataEntryName(spec.name), spec]))
  const listed = new Map(manifest.entries.map((e) => [e.name, e]))
  const pairsByKey = new Map<string, MediaPair>()
  const pending = new Map<MediaPair, PendingImage>()
  const moves = new Map<string, MediaMove[]>()
  const stored: string[] = []
  const rows: Record<string, number> = {}

  async function storeImage ({ pair, full, thumb }: PendingImage): Promise<void> {
    pending.delete(pair)
    if (full === undefined) return
    const format = formatOfKey(pair.imageKey)
    // A Cloudinary thumbnail is a transformation, not a file: made again from the photo.
    const made = thumb ?? (pair.table === 'users' ? await pipeline.avatar(full) : await pipeline.process(full)).thumb
    const image = await store.put({ full, thumb: made, width: 0, height: 0, format })
    stored.push(image.imageKey, image.thumbKey)
    const list = moves.get(pair.table) ?? []
    list.push({ imageKey: pair.imageKey, newImageKey: image.imageKey, newThumbKey: image.thumbKey })
    moves.set(pair.table, list)
  }

  try {
    await db.transaction(async (tx) => {
      await removeSeededRooms(tx)
      for await (const entry of readEntries(archivePath)) {
        if (entry.name === MANIFEST_ENTRY) continue
        const spec = tables.get(entry.name)
        if (spec !== undefined) {
          rows[spec.name] = await loadTable(tx, spec, entryLines(entry.body), pairsByKey)
          if (rows[spec.name] !== listed.get(entry.name)?.rows) throw new ArchiveError(`${entry.name} holds ${rows[spec.name]} rows, its manifest says ${listed.get(entry.name)?.rows}`)
          continue
        }
        const pair = entry.name.startsWith(MEDIA_PREFIX) ? pairsByKey.get(entry.name.slice(MEDIA_PREFIX.length)) : undefined
        if (pair === undefined) throw new ArchiveError(`unexpected entry ${entry.name}`)
        const bytes = await readBody(entry.body)
        const image = pending.get(pair) ?? { pair }
        pending.set(pair, image)
        const key = entry.name.slice(MEDIA_PREFIX.length)
        if (key === pair.imageKey) image.full = bytes
        if (key === pair.thumbKey) image.thumb = bytes
        if (image.full !== undefined && image.thumb !== undefined) await storeImage(image)
      }
      // Photos whose thumbnail was not a file of its own (Cloudinary), or whose files were gone.
      for (const image of [...pending.values()]) await storeImage(image)
      for (const spec of BACKUP_TABLES) await moveMediaKeys(tx, spec, moves.get(spec.name) ?? [])
    })
  } catch (err) {
    await store.remove(stored).catch(() => {})
    throw err
  }
  return { schemaVersion: manifest.schemaVersion, rows, images: stored.length / 2 }
}

async function loadTable (db: Db, spec: BackupTable, lines: AsyncIterable<string>, pairsByKey: Map<string, MediaPair>): Promise<number> {
  let batch: string[] = []
  let count = 0
  const flush = async (): Promise<void> => {
    for (const pair of mediaPairsOf(spec, batch)) {
      pairsByKey.set(pair.imageKey, pair)
      pairsByKey.set(pair.thumbKey, pair)
    }
    await insertRows(db, spec, batch)
    count += batch.length
    batch = []
  }
  for await (const line of lines) {
    batch.push(line)
    if (batch.length === INSERT_BATCH) await flush()
  }
  await flush()
  return count
}

function formatOfKey (key: string): 'jpeg' | 'webp' | 'png' {
  const ext = /\.([a-z]+)$/.exec(key)?.[1]
  return ext === 'webp' ? 'webp' : ext === 'png' ? 'png' : 'jpeg'
}
