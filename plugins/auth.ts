import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest } from 'fastify'
import { createAccounts, type Accounts } from '../src/auth/accounts.js'
import { createSessionService, type Auth, type SessionService } from '../src/auth/session-service.js'
import { createVerifiedTokens } from '../src/auth/verified-tokens.js'
import { unauthorized } from '../src/errors.js'
import { checkOptions, Type } from './options.js'

const AuthPluginOptionsSchema = Type.Object({
  jwtSecret: Type.String({ minLength: 32 }),
  tokenTtlMs: Type.Integer({ minimum: 1000 })
})
export interface AuthPluginOptions {
  jwtSecret: string
  tokenTtlMs: number
}

export type { Auth } from '../src/auth/session-service.js'

export interface AuthNamespace {
  sessions: SessionService
  accounts: Accounts
  /** An `onRequest` hook: a Bearer token naming a live session, or 401. */
  authenticate (request: FastifyRequest): Promise<void>
  /** The same for the WebSocket upgrade, which also takes `?token=` (browsers cannot set its headers). */
  authenticateUpgrade (request: FastifyRequest): Promise<void>
  issueToken (auth: Pick<Auth, 'userId' | 'sessionId'>): string
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
  checkOptions('auth', AuthPluginOptionsSchema, opts)
  await app.register(fastifyJwt, {
    secret: opts.jwtSecret,
    sign: { algorithm: 'HS256', expiresIn: Math.floor(opts.tokenTtlMs / 1000) },
    verify: { algorithms: ['HS256'] }
  })
  const sessions = createSessionService(app.database.db, { tokenTtlMs: opts.tokenTtlMs })

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

  /** The live session a token names, or throws `unauthorized`. */
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

  app.decorateRequest('auth', null)
  app.decorate('auth', {
    sessions,
    accounts: createAccounts(app.database.db, sessions, { store: app.media.store, pipeline: app.media.pipeline, log: app.log }),
    authenticate: authenticateWith(bearerToken),
    authenticateUpgrade: authenticateWith((request) => bearerToken(request) ?? queryToken(request)),
    issueToken: (auth) => app.jwt.sign({ sub: auth.userId, sid: auth.sessionId })
  } satisfies AuthNamespace)
}, { name: 'auth', fastify: '5.x', dependencies: ['db', 'media'] })

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthNamespace
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
