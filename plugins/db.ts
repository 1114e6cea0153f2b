import fp from 'fastify-plugin'
import { openDatabase, type Database, type DatabaseOptions } from '../db/client.js'

export interface DbPluginOptions extends DatabaseOptions {}

export default fp<DbPluginOptions>(async (app, opts) => {
  if (opts.databaseUrl === null && opts.dataDir === '' && opts.pgliteSnapshot === undefined) {
    throw new Error('db: either databaseUrl or dataDir is required')
  }
  const database = await openDatabase({
    ...opts,
    onPoolReplaced: () => app.log.warn('the database missed a query deadline: its connections were replaced')
  })
  app.addHook('onClose', () => database.close())
  await database.migrate()
  app.decorate('database', database)
}, { name: 'db', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyInstance {
    /** The domain services' database (routes and other plugins go through the services). */
    database: Database
  }
}
