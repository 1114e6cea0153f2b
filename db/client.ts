import { sql } from 'drizzle-orm'
import type { AppendMessages } from './append.js'
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
  // Each driver loads only when used: PGlite's WebAssembly build stays out of a PostgreSQL server.
  if (options.databaseUrl !== null) return await (await import('./postgres.js')).openPostgres(options.databaseUrl, options)
  return await (await import('./embedded.js')).openEmbedded(options)
}

export async function ping (db: Db, timeoutMs = 2000): Promise<boolean> {
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
