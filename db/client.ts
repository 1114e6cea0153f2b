import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema/index.js'
import { acquireDataDirLock } from './data-dir-lock.js'
import type { Db } from './types.js'

export interface DatabaseOptions {
  databaseUrl: string | null
  dataDir: string
  /**
   * PostgreSQL only: a query still unanswered after this long is cancelled, so requests fail fast
   * while the database is unreachable (postgres-js otherwise holds a query across its reconnect
   * back-off, up to 20 s per attempt). Unset: no deadline (migrations, scripts, seeding).
   */
  queryDeadlineMs?: number
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
    const client = postgres(options.databaseUrl, {
      max: 10,
      onnotice: () => {},
      // Fail fast instead of queueing requests behind a database that is down.
      connect_timeout: 5,
      idle_timeout: 60
    })
    try {
      await client`select 1`
    } catch (err) {
      await client.end({ timeout: 1 })
      throw new Error(`cannot reach the database at ${describeUrl(options.databaseUrl)}: ${(err as Error).message}`)
    }
    return {
      db: drizzlePostgres({ client: options.queryDeadlineMs === undefined ? client : withDeadline(client, options.queryDeadlineMs), schema }),
      driver: 'postgres',
      close: () => client.end({ timeout: 5 })
    }
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

const timedOut = () => Object.assign(new Error('the database did not answer in time'), { code: 'CONNECT_TIMEOUT' })

function withinDeadline<T> (work: PromiseLike<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout()
      reject(timedOut())
    }, ms)
    timer.unref()
    work.then((value) => { clearTimeout(timer); resolve(value) }, (err: unknown) => { clearTimeout(timer); reject(err) })
  })
}

/**
 * Every query drizzle makes (`unsafe`, awaited directly or through `.values()`) and every
 * transaction (`begin`) is given up after the deadline: the caller gets an error (answered 503)
 * instead of waiting out postgres-js's reconnect back-off. The query is also cancelled.
 */
function withDeadline (client: postgres.Sql, ms: number): postgres.Sql {
  return new Proxy(client, {
    get (target, prop, receiver) {
      if (prop === 'begin') {
        return (...args: unknown[]) => withinDeadline((target.begin as (...a: unknown[]) => Promise<unknown>)(...args), ms, () => {})
      }
      if (prop !== 'unsafe') return Reflect.get(target, prop, receiver)
      return (...args: Parameters<postgres.Sql['unsafe']>) => {
        const query = target.unsafe(...args)
        const cancel = () => { Promise.resolve(query.cancel() as unknown).catch(() => {}) }
        // Lazy like the query itself: drizzle picks `.values()` or not before awaiting.
        return {
          then: (onValue: (v: unknown) => unknown, onError: (e: unknown) => unknown) => withinDeadline(query, ms, cancel).then(onValue, onError),
          values: () => withinDeadline(query.values(), ms, cancel)
        }
      }
    }
  })
}

function describeUrl (url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`
  } catch {
    return 'DATABASE_URL'
  }
}
