import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest } from 'fastify'
import { createSessionService, type SessionService } from '../src/auth/session-service.js'
import { createVerifiedTokens } from '../src/auth/verified-tokens.js'
import { unauthorized } from '../src/errors.js'

export interface AuthPluginOptions {
  jwtSecret: string
  tokenTtlMs: number
}

export interface Auth {
  userId: string
  sessionId: string
  /** When the token expires (epoch ms): a socket opened with it is closed at its first request after. */
  expiresAt: number
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/

function bearerToken (request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (header === undefined) return null
  return BEARER.exec(header)?.[1] ?? null
}

function queryToken (request: FastifyRequest): string | null {
  const query = request.query as Record<string, unknown> | undefined
  return typeof query?.token === 'string' ? query.token : null
}

export default fp<AuthPluginOptions>(async (app, opts) => {
  if (opts.jwtSecret.length < 32) throw new Error('auth: jwtSecret must be at least 32 characters')
  await app.register(fastifyJwt, {
    secret: opts.jwtSecret,
    sign: { algorithm: 'HS256', expiresIn: Math.floor(opts.tokenTtlMs / 1000) },
    verify: { algorithms: ['HS256'] }
  })
  const sessions = createSessionService(app.db, { tokenTtlMs: opts.tokenTtlMs })
  app.decorate('sessions', sessions)
  app.decorateRequest('auth', null)

  const claimsOf = createVerifiedTokens((token) => {
    let payload: { sub?: unknown, sid?: unknown, exp?: unknown }
    try {
      payload = app.jwt.verify(token)
    } catch {
      throw unauthorized('Invalid or expired token')
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw unauthorized('Invalid token')
    return { sub: payload.sub, sid: payload.sid, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null }
  })

  /** The live session a token names, or throws `unauthorized`. Used by HTTP and by each WS frame. */
  async function verifyToken (token: string): Promise<Auth> {
    const claims = claimsOf(token)
    // The session is checked every time: a revoked one is refused whatever the token cache knows.
    const live = await sessions.check(claims.sid, claims.sub)
    if (live === null) throw unauthorized('Session revoked or expired')
    return { userId: live.userId, sessionId: live.id, expiresAt: Math.min(claims.expiresAt ?? Infinity, live.expiresAt.getTime()) }
  }

  function authenticateWith (extract: (request: FastifyRequest) => string | null) {
    return async (request: FastifyRequest): Promise<void> => {
      const token = extract(request)
      if (token === null) throw unauthorized()
      request.auth = await verifyToken(token)
    }
  }

  app.decorate('verifyToken', verifyToken)
  app.decorate('authenticate', authenticateWith(bearerToken))
  // Browsers cannot set headers on a WebSocket upgrade, so /ws also takes ?token= (never logged).
  app.decorate('authenticateUpgrade', authenticateWith((request) => bearerToken(request) ?? queryToken(request)))
  app.decorate('issueToken', (auth: Pick<Auth, 'userId' | 'sessionId'>) => app.jwt.sign({ sub: auth.userId, sid: auth.sessionId }))
}, { name: 'auth', dependencies: ['db'] })

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionService
    verifyToken (token: string): Promise<Auth>
    authenticate (request: FastifyRequest): Promise<void>
    authenticateUpgrade (request: FastifyRequest): Promise<void>
    issueToken (auth: Pick<Auth, 'userId' | 'sessionId'>): string
  }
  interface FastifyRequest {
    /** Set by `authenticate`; null on public routes. */
    auth: Auth | null
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string, sid: string }
  }
}
