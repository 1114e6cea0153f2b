import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import * as schema from './schema/index.js'
import { pgliteAppend, postgresAppend, type AppendMessages } from './append.js'
import { acquireDataDirLock } from './data-dir-lock.js'
import { migratePgliteDatabase, migratePostgresDatabase } from './migrate.js'
import { currentTemplate } from './pglite-template.js'
import { createPostgresPool } from './postgres-pool.js'
import type { Db } from './types.js'

export interface DatabaseOptions {
  databaseUrl: string | null
  dataDir: string
  /**
   * PostgreSQL only: a query still unanswered after this long is cancelled and the connection pool
   * replaced (db/postgres-pool.ts), so requests fail fast while the database is unreachable and
   * work again as soon as it is back. Unset: no deadline (migrations, scripts, seeding).
   */
  queryDeadlineMs?: number
  /** PostgreSQL only: told when the pool missed the deadline and was replaced. */
  onPoolReplaced?: () => void
  /** Tests: start an in-memory PGlite from a migrated snapshot instead of DATA_DIR. */
  pgliteSnapshot?: Blob
}

/** The one door to the database: everything driver-specific is decided here, once. */
export interface Database {
  /** Drizzle over whichever driver: every query and transaction of db/queries. */
  db: Db
  /** The room log's batched append, in the form this driver runs fastest (db/append.ts). */
  appendMessages: AppendMessages
  /** Applies drizzle/ and seeds what a fresh install needs; safe on every start. */
  migrate (options?: { seed?: boolean }): Promise<void>
  /** True when the database answers `select 1` within the timeout. */
  ping (timeoutMs?: number): Promise<boolean>
  close (): Promise<void>
}

/** Opens postgres-js when a URL is given, else the embedded PGlite under DATA_DIR (locked). */
export async function openDatabase (options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== null) return await openPostgres(options.databaseUrl, options)
  if (options.pgliteSnapshot !== undefined) return usePglite(await PGlite.create({ loadDataDir: options.pgliteSnapshot }))

  const lock = acquireDataDirLock(options.dataDir)
  try {
    const dir = join(options.dataDir, 'pglite')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // A new database comes from the migrated template (db/pglite-template.ts), not from initdb.
    const template = existsSync(join(dir, 'PG_VERSION')) ? undefined : currentTemplate()
    return usePglite(await PGlite.create({ dataDir: dir, ...(template === undefined ? {} : { loadDataDir: template }) }), () => lock.release())
  } catch (err) {
    lock.release()
    throw err
  }
}

async function openPostgres (url: string, options: DatabaseOptions): Promise<Database> {
  const pool = createPostgresPool(url, {
    ...(options.queryDeadlineMs === undefined ? {} : { deadlineMs: options.queryDeadlineMs }),
    ...(options.onPoolReplaced === undefined ? {} : { onReplaced: options.onPoolReplaced })
  })
  try {
    await pool.sql.unsafe('select 1')
  } catch (err) {
    await pool.end()
    throw new Error(`cannot reach the database at ${describeUrl(url)}: ${(err as Error).message}`)
  }
  const db = drizzlePostgres({ client: pool.sql, schema })
  return {
    db,
    appendMessages: postgresAppend(db),
    migrate: () => migratePostgresDatabase(db),
    ping: (timeoutMs) => ping(db, timeoutMs),
    close: () => pool.end()
  }
}

/** A Database over an open PGlite (an in-memory one in tests, to build their snapshot). */
export function usePglite (client: PGlite, afterClose: () => void = () => {}): Database {
  const db = drizzlePglite({ client, schema })
  return {
    db,
    appendMessages: pgliteAppend(db, client),
    migrate: (migrateOptions) => migratePgliteDatabase(db, migrateOptions),
    ping: (timeoutMs) => ping(db, timeoutMs),
    async close () {
      try { await client.close() } finally { afterClose() }
    }
  }
}

async function ping (db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(resolve, timeoutMs, false) })
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}

function describeUrl (url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`
  } catch {
    return 'DATABASE_URL'
  }
}
