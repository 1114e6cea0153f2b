import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import * as schema from './schema/index.js'
import { postgresAppend } from './append.js'
import { ping, type Database, type DatabaseOptions } from './client.js'
import { migratePostgresDatabase } from './migrate.js'
import { createPostgresPool } from './postgres-pool.js'
import { onOwnConnection, withAdvisoryLock } from './own-connection.js'
import { readOnlySnapshot } from './snapshot.js'

/** PostgreSQL through postgres-js, in a pool that fails fast and recovers (db/postgres-pool.ts). */
export async function openPostgres (url: string, options: DatabaseOptions): Promise<Database> {
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
    runsOnEventLoop: false,
    migrate: (migrateOptions) => migratePostgresDatabase(db, migrateOptions),
    snapshot: (job) => onOwnConnection(url, (own) => readOnlySnapshot(own, job)),
    exclusive: (name, job) => withAdvisoryLock(url, name, job),
    ping: (timeoutMs) => ping(db, timeoutMs),
    close: () => pool.end()
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
