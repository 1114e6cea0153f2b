import { sql } from 'drizzle-orm'
import type { AppendMessages } from './append.js'
import type { MigrateOptions } from './migrate.js'
import type { SnapshotSource } from './snapshot.js'
import type { Db } from './types.js'
export type { Db }

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
  /**
   * PGlite only: a new database starts from the migrated template (db/pglite-template.ts) unless
   * this is false; restoring an older backup needs the schema as it was, so it starts from initdb.
   */
  template?: boolean
}

/** The one door to the database: everything driver-specific is decided here, once. */
export interface Database {
  /** Drizzle over whichever driver: every query and transaction of db/queries. */
  db: Db
  /** The room log's batched append, in the form this driver runs fastest (db/append.ts). */
  appendMessages: AppendMessages
  /**
   * True for PGlite: its statements run on this process's event-loop thread, so while one runs
   * nothing else of the process does (no socket is read or written).
   */
  runsOnEventLoop: boolean
  /** Applies drizzle/ and seeds what a fresh install needs; safe on every start. */
  migrate (options?: MigrateOptions): Promise<void>
  /**
   * Runs a job unless another process sharing this database runs the same one (a PostgreSQL
   * advisory lock; the embedded database has one process by construction).
   */
  /**
   * Runs a read-only job that sees the backed-up tables (db/snapshot.ts) as they were at one moment,
   * whatever is written meanwhile; it reads each table from `source(name)`. On PostgreSQL a
   * REPEATABLE READ transaction on a connection of its own, with no query deadline; on PGlite,
   * copies made in one transaction. Writers carry on either way.
   */
  snapshot<T> (job: (db: Db, source: SnapshotSource) => Promise<T>): Promise<T>
  exclusive<T> (name: string, job: () => Promise<T>): Promise<{ ran: true, value: T } | { ran: false }>
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
