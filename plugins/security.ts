import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimit } from '../src/config.js'
import { rateLimited } from '../src/errors.js'

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

export interface SecurityPluginOptions {
  /** Where photos come from besides this server (Cloudinary's delivery host). */
  imageOrigins: string[]
}

export default fp(async (app, opts: SecurityPluginOptions) => {
  await app.register(helmet, {
    // Strict for the web page too: its script, styles and manifest come from here, it talks to
    // nothing but this origin (CSP 3's 'self' covers ws: and wss: to it), and it has no inline code.
    // The OpenAPI UI sets its own policy on its routes.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'blob:', 'data:', ...opts.imageOrigins],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrcAttr: ["'none'"]
      }
    },
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
