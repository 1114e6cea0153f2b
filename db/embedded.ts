import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite, type PGliteOptions } from '@electric-sql/pglite'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { drizzle as drizzlePglite, type PgliteDatabase } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import * as schema from './schema/index.js'
import { pgliteAppend } from './append.js'
import { ping, type Database, type DatabaseOptions } from './client.js'
import { acquireDataDirLock } from './data-dir-lock.js'
import { withMigrations, type MigrateOptions } from './migrate.js'
import { ensureFamilyRoom } from './queries/rooms.js'
import { currentTemplate } from './pglite-template.js'
import { plannerStatistics } from './planner-statistics.js'
import { copiedSnapshot } from './snapshot.js'
import { keepWasmInBaselineTier } from './wasm-tiering.js'

/** The embedded PGlite under DATA_DIR, locked to one process. */
export async function openEmbedded (options: DatabaseOptions): Promise<Database> {
  const lock = acquireDataDirLock(options.dataDir)
  try {
    const dir = join(options.dataDir, 'pglite')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // A new database comes from the migrated template (db/pglite-template.ts), not from initdb.
    const template = existsSync(join(dir, 'PG_VERSION')) || options.template === false ? undefined : currentTemplate()
    return usePglite(await createPglite({ dataDir: dir, ...(template === undefined ? {} : { loadDataDir: template }) }), () => lock.release())
  } catch (err) {
    lock.release()
    throw err
  }
}

/**
 * PGlite's default 128 MB of shared buffers is touched as it starts, resident on a small box for
 * pages the OS's cache keeps anyway (PGlite reads its files through it). 64 MB cost no throughput
 * in the bench; 32 MB cost a tenth at saturation (README, "Embedded database or PostgreSQL").
 */
const SHARED_BUFFERS = '64MB'

/**
 * A new 16 MB WAL segment is written full of zeros by default, a 25-40 ms write on the event
 * loop's thread under some commit; without it the file is only extended. PGlite runs with fsync
 * off, so the zeros bought nothing (PostgreSQL keeps the setting for copy-on-write file systems).
 */
const NO_WAL_ZERO_FILL = ['-c', 'wal_init_zero=off']

/** A PGlite with the extensions the migrations need (search's unaccent); every PGlite of the project opens this way. */
export function createPglite (options: PGliteOptions = {}): Promise<PGlite> {
  keepWasmInBaselineTier()
  return PGlite.create({
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`, ...NO_WAL_ZERO_FILL],
    ...options,
    extensions: { unaccent }
  })
}

/** A Database over an open PGlite (in tests, an in-memory one). */
export function usePglite (client: PGlite, afterClose: () => void = () => {}): Database {
  const db = drizzlePglite({ client, schema })
  const append = pgliteAppend(db, client)
  const statistics = plannerStatistics(client)
  return {
    db,
    async appendMessages (roomId, inputs) {
      const rows = await append(roomId, inputs)
      statistics.appended(inputs.length)
      return rows
    },
    runsOnEventLoop: true,
    async migrate (migrateOptions) {
      await migratePgliteDatabase(db, migrateOptions)
      await statistics.atOpen()
    },
    snapshot: (job) => copiedSnapshot(db, job),
    exclusive: async (_name, job) => ({ ran: true, value: await job() }),
    ping: (timeoutMs) => ping(db, timeoutMs),
    async close () {
      try { await client.close() } finally { afterClose() }
    }
  }
}

/** Applies drizzle/ with the driver's own migrator, then (unless building a template) seeds what a fresh install needs. */
export async function migratePgliteDatabase (db: PgliteDatabase<typeof schema>, options: MigrateOptions = {}): Promise<void> {
  await withMigrations(options.upTo, (config) => migratePglite(db, config))
  if (options.seed !== false) await ensureFamilyRoom(db)
}
