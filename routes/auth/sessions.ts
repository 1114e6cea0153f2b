import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { notFound, unauthorized } from '../../src/errors.js'
import { ChangePasswordBodySchema, SessionParamsSchema, SessionSchema, TokenResponseSchema } from '../../src/schemas/auth.js'
import { NoContentSchema, responses } from '../../src/schemas/common.js'
import { UserSchema } from '../../src/schemas/user.js'
import type { KeyedRateLimit } from '../../plugins/security.js'
import { authOf } from '../auth-of.js'

const sessionRoutes: FastifyPluginAsyncTypebox<{ passwordAttempts: KeyedRateLimit }> = async (app, { passwordAttempts }) => {
  app.get('/me', {
    schema: { tags: ['auth'], summary: 'The logged-in user', response: responses({ 200: Type.Object({ user: UserSchema }) }, 401) }
  }, async (request) => {
    const user = await app.auth.accounts.find(authOf(request).userId)
    if (user === undefined) throw unauthorized()
    return { user }
  })

  app.post('/logout', {
    schema: { tags: ['auth'], summary: 'Log out this device', response: responses({ 204: NoContentSchema }, 401) }
  }, async (request, reply) => {
    const { userId, sessionId } = authOf(request)
    await app.auth.sessions.revoke(userId, { only: sessionId })
    return reply.code(204).send(null)
  })

  app.post('/logout-all', {
    schema: { tags: ['auth'], summary: 'Log out every device', response: responses({ 204: NoContentSchema }, 401) }
  }, async (request, reply) => {
    await app.auth.sessions.revoke(authOf(request).userId, 'all')
    return reply.code(204).send(null)
  })

  app.get('/sessions', {
    schema: {
      tags: ['auth'],
      summary: 'Where I am logged in',
      response: responses({ 200: Type.Object({ sessions: Type.Array(SessionSchema) }) }, 401)
    }
  }, async (request) => {
    const { userId, sessionId } = authOf(request)
    const rows = await app.auth.sessions.list(userId)
    return {
      sessions: rows.map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        userAgent: s.userAgent,
        current: s.id === sessionId
      }))
    }
  })

  app.delete('/sessions/:id', {
    schema: {
      tags: ['auth'],
      summary: 'Log out one of my devices',
      params: SessionParamsSchema,
      response: responses({ 204: NoContentSchema }, 401, 404)
    }
  }, async (request, reply) => {
    const revoked = await app.auth.sessions.revoke(authOf(request).userId, { only: request.params.id })
    if (revoked.length === 0) throw notFound('No such session')
    return reply.code(204).send(null)
  })

  app.post('/password', {
    schema: {
      tags: ['auth'],
      summary: 'Change my password; logs out every other device',
      body: ChangePasswordBodySchema,
      response: responses({ 200: TokenResponseSchema }, 400, 401)
    }
  }, async (request, reply) => {
    const auth = authOf(request)
    // A stolen token must not buy unlimited guesses: each try counts like a login of this member.
    await app.auth.accounts.changePassword(auth, request.body, (username) => passwordAttempts(request, reply, username))
    return { token: app.auth.issueToken(auth) }
  })
}

export default sessionRoutes
