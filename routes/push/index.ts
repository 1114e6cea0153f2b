import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NoContentSchema, responses } from '../../src/schemas/common.js'
import { PushConfigSchema, PushSubscriptionBodySchema } from '../../src/schemas/push.js'
import { authOf } from '../auth-of.js'

const pushRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/config', {
    schema: {
      tags: ['push'],
      summary: 'Whether this server sends push notifications, and its VAPID key for PushManager.subscribe',
      response: responses({ 200: PushConfigSchema }, 401)
    }
  }, async () => app.push.config)

  app.put('/subscription', {
    schema: {
      tags: ['push'],
      summary: 'Register this device (session) for push notifications',
      body: PushSubscriptionBodySchema,
      response: responses({ 204: NoContentSchema }, 400, 401, 409)
    }
  }, async (request, reply) => {
    await app.push.service().subscribe(authOf(request), request.body)
    return reply.code(204).send(null)
  })

  app.delete('/subscription', {
    schema: {
      tags: ['push'],
      summary: 'Stop push notifications to this device (session)',
      response: responses({ 204: NoContentSchema }, 401, 409)
    }
  }, async (request, reply) => {
    await app.push.service().unsubscribe(authOf(request).sessionId)
    return reply.code(204).send(null)
  })

  app.post('/test', {
    schema: {
      tags: ['push'],
      summary: 'Send a test notification to this device',
      response: responses({ 202: NoContentSchema }, 401, 404, 409)
    }
  }, async (request, reply) => {
    await app.push.service().test(authOf(request))
    return reply.code(202).send(null)
  })
}

export default pushRoutes
