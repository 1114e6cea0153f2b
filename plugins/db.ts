import fp from 'fastify-plugin'
import { openDatabase, type Database, type DatabaseOptions } from '../db/client.js'
import { checkOptions, Type } from './options.js'

const DbPluginOptionsSchema = Type.Object({
  databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()]),
  dataDir: Type.String({ minLength: 1 }),
  queryDeadlineMs: Type.Optional(Type.Integer({ minimum: 1 })),
  database: Type.Optional(Type.Unsafe<Database>({ type: 'object' }))
})
export interface DbPluginOptions extends DatabaseOptions {
  /** An open database to use instead of opening one from the URL or DATA_DIR (tests); closed with the app. */
  database?: Database
}

export default fp<DbPluginOptions>(async (app, opts) => {
  checkOptions('db', DbPluginOptionsSchema, opts)
  const database = opts.database ?? await openDatabase({
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
