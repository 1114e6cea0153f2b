import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const StatusSchema = Type.Object({ status: Type.String() })

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: StatusSchema } }
  }, async () => ({ status: 'ok' }))

  app.get('/ready', {
    schema: {
      tags: ['health'],
      summary: 'The database answers',
      security: [],
      response: { 200: StatusSchema, 503: StatusSchema }
    }
  }, async (_request, reply) => {
    if (await app.pingDb()) return { status: 'ok' }
    return reply.code(503).send({ status: 'unavailable' })
  })
}

export default healthRoutes
