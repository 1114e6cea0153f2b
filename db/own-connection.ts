import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import * as schema from './schema/index.js'
import type { Db } from './types.js'

/**
 * A job on a PostgreSQL connection of its own, outside the pool: long jobs (a backup's snapshot, a
 * lock held for its whole run) neither take a connection from the requests nor fall under the
 * pool's query deadline, and a pool replacing its connections cannot silently end them.
 */
export async function onOwnConnection<T> (url: string, job: (db: Db, sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 })
  try {
    return await job(drizzle({ client: sql, schema }), sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Runs `job` holding the session advisory lock `name`, or not at all while another session holds it. */
export function withAdvisoryLock<T> (url: string, name: string, job: () => Promise<T>): Promise<{ ran: true, value: T } | { ran: false }> {
  return onOwnConnection(url, async (_db, sql) => {
    // hashtext: a stable 32-bit key from the job's name, the same on every instance. Ending the
    // session releases the lock, so a crashed holder never leaves it taken.
    const [row] = await sql<Array<{ locked: boolean }>>`select pg_try_advisory_lock(hashtext(${name})) as locked`
    if (row?.locked !== true) return { ran: false as const }
    return { ran: true as const, value: await job() }
  })
}
