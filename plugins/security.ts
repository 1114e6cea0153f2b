import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet from 'helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimit } from '../src/config.js'
import { rateLimited } from '../src/errors.js'

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>
export type KeyedRateLimit = (request: FastifyRequest, reply: FastifyReply, key: string) => Promise<void>

export interface SecurityPluginOptions {
  /** Where photos come from besides this server (Cloudinary's delivery host). */
  imageOrigins: string[]
}

/**
 * Helmet's headers, computed once. They never vary by request here, and @fastify/helmet rebuilds
 * helmet's middleware and re-parses the policy on every request (a sixth of the CPU of `/health`).
 */
function securityHeaders (imageOrigins: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  const capture = {
    setHeader (name: string, value: string | number) { headers[name.toLowerCase()] = String(value) },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  helmet({
    // Strict for the web page too: its script, styles and manifest come from here, it talks to
    // nothing but this origin (CSP 3's 'self' covers ws: and wss: to it), and it has no inline code.
    // The OpenAPI UI sets its own policy on its routes.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'blob:', 'data:', ...imageOrigins],
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
  })({} as IncomingMessage, capture as unknown as ServerResponse, () => {})
  return headers
}

export default fp(async (app, opts: SecurityPluginOptions) => {
  const headers = securityHeaders(opts.imageOrigins)
  app.decorate('securityHeaders', headers)
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
  const redis = app.redisFanout?.redis
  // With several instances the counters live in Redis, so a second instance does not double an
  // attacker's budget; if Redis is unreachable, requests are let through rather than failed.
  await app.register(rateLimit, {
    global: false,
    ...(redis === undefined ? {} : { redis, nameSpace: 'family-chat:rate-limit:', skipOnError: true })
  })

  /**
   * A counter of attempts per key, checked (and counted) by calling it with the key. Built on
   * createRateLimit because the plugin's own hooks run once per request, and login needs two.
   */
  app.decorate('rateLimitKeyed', (limit: RateLimit, name: string): KeyedRateLimit => {
    const keys = new WeakMap<FastifyRequest, string>()
    const check = app.createRateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (request) => `${name}:${keys.get(request) ?? ''}`
    })
    return async (request, reply, key) => {
      keys.set(request, key)
      const result = await check(request)
      if (result.isAllowed || !result.isExceeded) return
      reply.header('retry-after', String(result.ttlInSeconds))
      throw rateLimited(`Too many requests, retry in ${result.ttlInSeconds} s`)
    }
  })

  /** A hook counting requests per `key(request)` (an address, a username, a user id). */
  app.decorate('rateLimitBy', (limit: RateLimit, name: string, key: (request: FastifyRequest) => string): RateLimitHook => {
    const keyed = app.rateLimitKeyed(limit, name)
    return (request, reply) => keyed(request, reply, key(request))
  })
}, { name: 'security', dependencies: ['redis'] })

declare module 'fastify' {
  interface FastifyInstance {
    /** The headers every response carries (set by an `onRequest` hook; framework errors add them themselves). */
    securityHeaders: Record<string, string>
    rateLimitKeyed (limit: RateLimit, name: string): KeyedRateLimit
    rateLimitBy (limit: RateLimit, name: string, key: (request: FastifyRequest) => string): RateLimitHook
  }
}
