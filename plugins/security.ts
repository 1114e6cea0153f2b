import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import { rateLimited } from '../src/errors.js'

export default fp(async (app) => {
  await app.register(helmet, {
    // The API only serves JSON and images; the OpenAPI UI relaxes this on its own routes.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], upgradeInsecureRequests: null } },
    crossOriginResourcePolicy: { policy: 'same-origin' }
  })
  await app.register(rateLimit, {
    global: false,
    // injectWS requests have no socket address; an empty key must not crash the limiter.
    keyGenerator: (request) => request.ip ?? '',
    errorResponseBuilder: (_request, context) => rateLimited(`Too many requests, retry in ${context.after}`)
  })
}, { name: 'security' })
