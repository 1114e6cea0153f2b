import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { RateLimit } from '../../src/config.js'
import type { KeyedRateLimit } from '../../plugins/security.js'
import { LoginBodySchema } from '../../src/schemas/auth.js'
import { responses } from '../../src/schemas/common.js'
import { UserSchema } from '../../src/schemas/user.js'

export interface AuthRoutesOptions {
  loginLimit: RateLimit
  /** Attempts at a member's password (logins, password changes), counted per username. */
  passwordAttempts: KeyedRateLimit
}

const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { loginLimit, passwordAttempts }) => {
  app.post('/login', {
    onRequest: app.security.limitBy(loginLimit, 'login-ip', (request) => request.ip ?? ''),
    // Per username too, so an attacker spread over many addresses cannot guess one member's password.
    preHandler: (request, reply) =>
      passwordAttempts(request, reply, String((request.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()),
    schema: {
      tags: ['auth'],
      summary: 'Log in with username and password',
      security: [],
      body: LoginBodySchema,
      response: responses({ 200: Type.Object({ token: Type.String(), user: UserSchema }) }, 400, 401)
    }
  }, async (request) => {
    const { user, sessionId } = await app.auth.accounts.login(request.body, request.headers['user-agent'] ?? null)
    return { token: app.auth.issueToken({ userId: user.id, sessionId }), user }
  })
}

export default authRoutes
