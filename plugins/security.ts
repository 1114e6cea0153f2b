import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimit } from '../src/config.js'
import { rateLimited } from '../src/errors.js'

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

export default fp(async (app) => {
  await app.register(helmet, {
    // The API only serves JSON and images; the OpenAPI UI relaxes this on its own routes.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], upgradeInsecureRequests: null } },
    crossOriginResourcePolicy: { policy: 'same-origin' }
  })
  const redis = app.redisFanout?.redis
  // With several instances the counters live in Redis, so a second instance does not double an
  // attacker's budget; if Redis is unreachable, requests are let through rather than failed.
  await app.register(rateLimit, {
    global: false,
    ...(redis === undefined ? {} : { redis, nameSpace: 'family-chat:rate-limit:', skipOnError: true })
  })

  /**
   * A hook counting requests per `key` (an address, a username, a user id). Built on
   * createRateLimit because the plugin's own hooks run once per request, and login needs two.
   */
  app.decorate('rateLimitBy', (limit: RateLimit, name: string, key: (request: FastifyRequest) => string): RateLimitHook => {
    const check = app.createRateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      // injectWS requests have no socket address; the key must still be a string.
      keyGenerator: (request) => `${name}:${key(request)}`
    })
    return async (request, reply) => {
      const result = await check(request)
      if (result.isAllowed || !result.isExceeded) return
      reply.header('retry-after', String(result.ttlInSeconds))
      throw rateLimited(`Too many requests, retry in ${result.ttlInSeconds} s`)
    }
  })
}, { name: 'security', dependencies: ['redis'] })

declare module 'fastify' {
  interface FastifyInstance {
    rateLimitBy (limit: RateLimit, name: string, key: (request: FastifyRequest) => string): RateLimitHook
  }
}
