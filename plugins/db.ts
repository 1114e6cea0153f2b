import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import { openDatabase, type DatabaseOptions } from '../db/client.js'
import { runMigrations } from '../db/migrate.js'
import type { Db } from '../db/types.js'

export interface DbPluginOptions extends DatabaseOptions {}

export default fp<DbPluginOptions>(async (app, opts) => {
  const database = await openDatabase({
    ...opts,
    onPoolReplaced: () => app.log.warn('the database missed a query deadline: its connections were replaced')
  })
  app.addHook('onClose', () => database.close())
  await runMigrations(database)

  app.decorate('db', database.db)
  app.decorate('dbDriver', database.driver)
  app.decorate('pingDb', async (timeoutMs = 2000): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => { timer = setTimeout(resolve, timeoutMs, false) })
    try {
      return await Promise.race([database.db.execute(sql`select 1`).then(() => true), timeout])
    } catch {
      return false
    } finally {
      clearTimeout(timer)
    }
  })
}, { name: 'db' })

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    dbDriver: 'pglite' | 'postgres'
    /** True when the database answers `select 1` within the timeout. */
    pingDb (timeoutMs?: number): Promise<boolean>
  }
}
