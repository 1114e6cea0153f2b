import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const StatusSchema = Type.Object({ status: Type.String() })
const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  redis: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('down')])),
  // With BACKUP_DIR: whether the latest scheduled backup worked (the server's log says why not).
  backup: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('failing')]))
})

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: StatusSchema } }
  }, async () => ({ status: 'ok' }))

  app.get('/ready', {
    schema: {
      tags: ['health'],
      summary: 'The database answers (503 if not); with Redis, whether cross-instance fan-out works',
      security: [],
      response: { 200: ReadySchema, 503: ReadySchema }
    }
  }, async (_request, reply) => {
    const database = await app.database.ping() ? 'ok' as const : 'down' as const
    const redis = app.redisFanout === null ? undefined : app.redisFanout.isHealthy() ? 'ok' as const : 'down' as const
    // Without Redis an instance still serves its own clients and the API: degraded, not down.
    const status = database === 'down' ? 'unavailable' as const : redis === 'down' ? 'degraded' as const : 'ok' as const
    const backup = app.backups.health()
    return reply.code(database === 'down' ? 503 : 200).send({ status, database, ...(redis === undefined ? {} : { redis }), ...(backup === undefined ? {} : { backup }) })
  })
}

export default healthRoutes
