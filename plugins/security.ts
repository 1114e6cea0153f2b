import fp from 'fastify-plugin'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import helmetMiddleware, { type HelmetOptions } from 'helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RateLimit } from '../src/config.js'
import { rateLimited } from '../src/errors.js'
import { checkOptions, Type } from './options.js'

export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>
export type KeyedRateLimit = (request: FastifyRequest, reply: FastifyReply, key: string) => Promise<void>

export interface SecurityPluginOptions {
  /** Where photos come from besides this server (Cloudinary's delivery host). */
  imageOrigins: string[]
}

/**
 * Helmet's options, built once. Strict for the web page too: its script, styles and manifest come
 * from here, it talks to nothing but this origin (CSP 3's 'self' covers ws: and wss: to it), and it
 * has no inline code. The OpenAPI UI sets its own policy on its routes.
 */
export function helmetOptions (imageOrigins: string[]): HelmetOptions {
  return {
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
  }
}

/**
 * The same headers for the two answers no hook runs for (a malformed URL, a malformed request):
 * helmet's own middleware, with the same options, applied once to a Node response.
 */
function errorHeaders (options: HelmetOptions): Record<string, string> {
  const response = new ServerResponse(new IncomingMessage(new Socket()))
  helmetMiddleware(options)(response.req, response, () => {})
  return Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]))
}

export default fp(async (app, opts: SecurityPluginOptions) => {
  checkOptions('security', Type.Object({ imageOrigins: Type.Array(Type.String({ pattern: '^https://' })) }), opts)
  const options = helmetOptions(opts.imageOrigins)
  // Both name the same helmet; their type declarations differ only in how they are packaged.
  await app.register(helmet, { global: true, ...options as FastifyHelmetOptions })
  const redis = app.redisFanout?.redis
  // With several instances the counters live in Redis, so a second instance does not double an
  // attacker's budget; if Redis is unreachable, requests are let through rather than failed.
  await app.register(rateLimit, {
    global: false,
    ...(redis === undefined ? {} : { redis, nameSpace: 'family-chat:rate-limit:', skipOnError: true })
  })

  /**
   * Built on createRateLimit because the plugin's own hooks run once per request, and login needs two.
   */
  const keyed = (limit: RateLimit, name: string): KeyedRateLimit => {
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
  }

  app.decorate('security', {
    errorHeaders: errorHeaders(options),
    limitKeyed: keyed,
    limitBy (limit, name, key) {
      const check = keyed(limit, name)
      return (request, reply) => check(request, reply, key(request))
    }
  } satisfies SecurityNamespace)
}, { name: 'security', fastify: '5.x', dependencies: ['redis'] })

export interface SecurityNamespace {
  /** The security headers, for the answers no hook runs for (framework and client errors). */
  errorHeaders: Record<string, string>
  /** A counter of attempts per key, checked (and counted) by calling it with the key. */
  limitKeyed (limit: RateLimit, name: string): KeyedRateLimit
  /** A hook counting requests per `key(request)` (an address, a username, a user id). */
  limitBy (limit: RateLimit, name: string, key: (request: FastifyRequest) => string): RateLimitHook
}

declare module 'fastify' {
  interface FastifyInstance {
    security: SecurityNamespace
  }
}
