import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import tar from 'tar-stream'

/**
 * The archive format (docs/backup.md): a tar file whose entries are the data, one gzipped NDJSON
 * file per table (each line a row as JSON), then the media files, then `manifest.json`, which lists
 * every entry before it with its size and SHA-256. The manifest comes last because only then are
 * the checksums known; a truncated archive is one without it.
 */
export const ARCHIVE_FORMAT = 'family-chat-backup'
export const ARCHIVE_VERSION = 1
export const MANIFEST_ENTRY = 'manifest.json'
export const MEDIA_PREFIX = 'media/'
export const dataEntryName = (table: string): string => `data/${table}.ndjson.gz`

export interface ArchiveEntry {
  name: string
  size: number
  sha256: string
  /** Data entries: how many rows. */
  rows?: number
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT
  version: number
  /** How many of drizzle/'s migrations the backed-up database had applied. */
  schemaVersion: number
  createdAt: string
  entries: ArchiveEntry[]
}

/** The archive cannot be used: damaged, truncated, not ours, or from a newer version. */
export class ArchiveError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ArchiveError'
  }
}

/**
 * Writes an archive atomically: into a temporary file beside the final one (mode 0600), then
 * fsync, rename, and fsync of the folder, so the final name only ever holds a whole archive.
 */
export class ArchiveWriter {
  private readonly entries: ArchiveEntry[] = []
  private readonly pack = tar.pack()
  private readonly written: Promise<void>

  private constructor (readonly path: string, private readonly tmp: string) {
    this.written = pipeline(this.pack, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }))
    // Until finish() or abort() awaits it, a failed write must not become an unhandled rejection.
    this.written.catch(() => {})
  }

  static async create (path: string): Promise<ArchiveWriter> {
    if (await stat(path).then(() => true, () => false)) throw new ArchiveError(`${path} already exists`)
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
    return new ArchiveWriter(path, tmp)
  }

  /** Adds a file of known size from a stream. */
  async addFile (name: string, size: number, source: AsyncIterable<Buffer>, rows?: number): Promise<void> {
    const hash = createHash('sha256')
    let seen = 0
    let done!: (err?: Error | null) => void
    const entered = new Promise<void>((resolve, reject) => { done = (err) => err == null ? resolve() : reject(err) })
    const entry = this.pack.entry({ name, size, mode: 0o600, mtime: new Date() }, (err) => done(err))
    for await (const chunk of source) {
      hash.update(chunk)
      seen += chunk.length
      if (seen > size) break
      if (!entry.write(chunk)) await once(entry, 'drain')
    }
    if (seen !== size) {
      entry.destroy(new Error('short entry'))
      throw new Error(`${name} changed while it was archived (${seen} bytes, expected ${size})`)
    }
    entry.end(() => {})
    await entered
    this.entries.push({ name, size, sha256: hash.digest('hex'), ...(rows === undefined ? {} : { rows }) })
  }

  /** Adds lines (a table's rows) as one gzipped entry; spooled to disk first, since tar needs the size up front. */
  async addLines (name: string, lines: AsyncIterable<string>): Promise<number> {
    const spool = `${this.tmp}.spool`
    let rows = 0
    try {
      const gzip = createGzip()
      const spooled = pipeline(gzip, createWriteStream(spool, { mode: 0o600 }))
      spooled.catch(() => {})
      for await (const line of lines) {
        rows += 1
        if (!gzip.write(line + '\n')) await once(gzip, 'drain')
      }
      gzip.end()
      await spooled
      await this.addFile(name, (await stat(spool)).size, createReadStream(spool), rows)
    } finally {
      await rm(spool, { force: true })
    }
    return rows
  }

  /** Writes the manifest and moves the archive to its final name. */
  async finish (schemaVersion: number): Promise<Manifest> {
    const manifest: Manifest = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, schemaVersion, createdAt: new Date().toISOString(), entries: this.entries }
    this.pack.entry({ name: MANIFEST_ENTRY, mode: 0o600 }, JSON.stringify(manifest, null, 2))
    this.pack.finalize()
    await this.written
    // fsync is of the file, whichever descriptor asks: its bytes are on disk before it gets the final name.
    await syncPath(this.tmp)
    await rename(this.tmp, this.path)
    await syncPath(dirname(this.path))
    return manifest
  }

  async abort (): Promise<void> {
    this.pack.destroy()
    await this.written.catch(() => {})
    await rm(this.tmp, { force: true })
  }
}

async function syncPath (path: string): Promise<void> {
  const handle = await open(path, 'r')
  try { await handle.sync() } finally { await handle.close() }
}

export interface ReadEntry {
  name: string
  size: number
  body: Readable
}

/** The entries of an archive in order; a damaged or truncated tar file throws ArchiveError. */
export async function * readEntries (path: string): AsyncGenerator<ReadEntry> {
  const extract = tar.extract()
  const source = createReadStream(path)
  source.on('error', (err) => extract.destroy(err))
  source.pipe(extract)
  try {
    for await (const entry of extract) {
      if (entry.header.type !== 'file') throw new ArchiveError(`unexpected ${String(entry.header.type)} entry ${entry.header.name}`)
      yield { name: entry.header.name, size: entry.header.size ?? 0, body: entry as unknown as Readable }
      entry.resume()
    }
  } catch (err) {
    if (err instanceof ArchiveError) throw err
    throw new ArchiveError(`the archive is damaged or truncated (${(err as Error).message})`)
  } finally {
    source.destroy()
  }
}

/** The lines of a data entry. */
export function entryLines (body: Readable): AsyncIterable<string> {
  const gunzip = createGunzip()
  body.pipe(gunzip)
  body.on('error', (err) => gunzip.destroy(err))
  return createInterface({ input: gunzip, crlfDelay: Infinity })
}

async function sha256Of (body: AsyncIterable<Buffer>): Promise<{ sha256: string, size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of body) {
    hash.update(chunk)
    size += chunk.length
  }
  return { sha256: hash.digest('hex'), size }
}

/**
 * Reads the whole archive once and checks it: every entry's checksum against the manifest, nothing
 * missing or added, a format and schema this code can restore. Answers the manifest.
 */
export async function verifyArchive (path: string, currentSchemaVersion: number): Promise<Manifest> {
  if (!await stat(path).then((s) => s.isFile(), () => false)) throw new ArchiveError(`${path} is not a file`)
  const seen: ArchiveEntry[] = []
  let manifestText: string | null = null
  try {
    for await (const entry of readEntries(path)) {
      if (manifestText !== null) throw new ArchiveError(`entry ${entry.name} after the manifest`)
      if (entry.name === MANIFEST_ENTRY) {
        manifestText = (await readBody(entry.body, 64 * 1024 * 1024)).toString('utf8')
        continue
      }
      seen.push({ name: entry.name, ...await sha256Of(entry.body) })
    }
  } catch (err) {
    // An entry cut short fails while its body is read, outside readEntries.
    if (err instanceof ArchiveError) throw err
    throw new ArchiveError(`the archive is damaged or truncated (${(err as Error).message})`)
  }
  if (manifestText === null) throw new ArchiveError('the archive is truncated or not a Family Chat backup: it has no manifest')
  let manifest: Manifest
  try {
    manifest = JSON.parse(manifestText) as Manifest
  } catch {
    throw new ArchiveError('the archive\'s manifest is damaged')
  }
  if (manifest.format !== ARCHIVE_FORMAT || !Number.isInteger(manifest.version) || !Array.isArray(manifest.entries) || !Number.isInteger(manifest.schemaVersion)) {
    throw new ArchiveError('not a Family Chat backup')
  }
  if (manifest.version > ARCHIVE_VERSION || manifest.schemaVersion > currentSchemaVersion) {
    throw new ArchiveError(`the archive comes from a newer Family Chat (format ${manifest.version}, schema ${manifest.schemaVersion}; this one reads format ${ARCHIVE_VERSION}, schema ${currentSchemaVersion}): upgrade first`)
  }
  const listed = manifest.entries
  if (listed.length !== seen.length) throw new ArchiveError(`the archive holds ${seen.length} entries, its manifest lists ${listed.length}`)
  seen.forEach((entry, i) => {
    const expected = listed[i]!
    if (expected.name !== entry.name || expected.size !== entry.size || expected.sha256 !== entry.sha256) {
      throw new ArchiveError(`entry ${entry.name} is damaged (its checksum or size differs from the manifest's)`)
    }
  })
  return manifest
}

/** An entry's bytes, refused past `limit`. */
export async function readBody (body: AsyncIterable<Buffer>, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > limit) throw new ArchiveError(`an entry of the archive is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
