import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import * as schema from './schema/index.js'
import { acquireDataDirLock } from './data-dir-lock.js'
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

export interface Database {
  db: Db
  driver: 'pglite' | 'postgres'
  close (): Promise<void>
}

/** Opens postgres-js when a URL is given, else the embedded PGlite under DATA_DIR (locked). */
export async function openDatabase (options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== null) {
    const pool = createPostgresPool(options.databaseUrl, {
      ...(options.queryDeadlineMs === undefined ? {} : { deadlineMs: options.queryDeadlineMs }),
      ...(options.onPoolReplaced === undefined ? {} : { onReplaced: options.onPoolReplaced })
    })
    try {
      await pool.sql`select 1`
    } catch (err) {
      await pool.end()
      throw new Error(`cannot reach the database at ${describeUrl(options.databaseUrl)}: ${(err as Error).message}`)
    }
    return { db: drizzlePostgres({ client: pool.sql, schema }), driver: 'postgres', close: () => pool.end() }
  }

  if (options.pgliteSnapshot !== undefined) {
    const client = await PGlite.create({ loadDataDir: options.pgliteSnapshot })
    return { db: drizzlePglite({ client, schema }), driver: 'pglite', close: () => client.close() }
  }

  const lock = acquireDataDirLock(options.dataDir)
  try {
    const dir = join(options.dataDir, 'pglite')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const client = await PGlite.create({ dataDir: dir })
    return {
      db: drizzlePglite({ client, schema }),
      driver: 'pglite',
      async close () {
        try { await client.close() } finally { lock.release() }
      }
    }
  } catch (err) {
    lock.release()
    throw err
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
