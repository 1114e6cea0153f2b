import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Database } from '../db/client.js'
import { withoutSql } from '../db/errors.js'
import { notFound, toPublicError } from './errors.js'
import { stdSerializers } from 'pino'
import { redactUrl } from './redact-url.js'
import { clientErrorHandler, frameworkErrorHandler } from './framework-errors.js'
import { ErrorResponseSchema } from './schemas/common.js'
import { lazySerializerFactory, validatorCompiler } from './schema-compilers.js'
import dbPlugin from '../plugins/db.js'
import authPlugin from '../plugins/auth.js'
import securityPlugin from '../plugins/security.js'
import redisPlugin from '../plugins/redis.js'
import docsPlugin from '../plugins/docs.js'
import adminSocketPlugin from '../plugins/admin-socket.js'
import backupsPlugin from '../plugins/backups.js'
import pushPlugin, { type PushPluginOptions } from '../plugins/push.js'
import mediaPlugin from '../plugins/media.js'
import chatPlugin from '../plugins/chat.js'
import websocketPlugin from '../plugins/websocket.js'
import realtimePlugin, { type RealtimePluginOptions } from '../plugins/realtime.js'
import healthRoutes from '../routes/health.js'
import authRoutes from '../routes/auth/index.js'
import sessionRoutes from '../routes/auth/sessions.js'
import messageRoutes from '../routes/messages/index.js'
import uploadRoutes from '../routes/messages/upload.js'
import mediaRoutes from '../routes/media/index.js'
import roomRoutes from '../routes/rooms/index.js'
import userRoutes from '../routes/users/index.js'
import searchRoutes from '../routes/search/index.js'
import pushRoutes from '../routes/push/index.js'
import wsRoutes from '../routes/ws.js'
import webRoutes from '../routes/web.js'

export interface AppOverrides {
  /** Tests: an open database (an in-memory PGlite) instead of DATABASE_URL or DATA_DIR's. */
  database?: Database
  /** Tests: how long to wait for a (fake) Cloudinary. */
  cloudinaryTimeoutMs?: number
  /** Tests: a HEIC worker that cannot start or dies, to prove the server blames itself, not the photo. */
  heicWorkerUrl?: URL
  /** Tests: shorter heartbeats, smaller buffers. */
  realtime?: Omit<RealtimePluginOptions, 'wsLimit'>
  /** Tests: where the production logger writes (stdout otherwise). */
  logStream?: NodeJS.WritableStream
  /** Tests: a smaller push queue, a shorter deadline. */
  pushSender?: PushPluginOptions['sender']
}

export async function buildApp (config: Config, overrides: AppOverrides = {}): Promise<FastifyInstance> {
  // Until the security plugin has computed them (it is registered below, before any request).
  const securityHeaders = (): Record<string, string> => app.security?.errorHeaders ?? {}
  const app: FastifyInstance = Fastify({
    logger: {
      level: config.logLevel,
      ...(overrides.logStream === undefined ? {} : { stream: overrides.logStream }),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
        err: (err: Error) => stdSerializers.err(withoutSql(err) as Error)
      }
    },
    // Behind nginx, X-Forwarded-For from the proxy names the client: each member gets their own login limit.
    trustProxy: config.trustProxy.length === 0 ? false : [...config.trustProxy],
    connectionTimeout: 0,
    requestTimeout: 30_000,
    keepAliveTimeout: 72_000,
    bodyLimit: 1024 * 1024,
    pluginTimeout: 60_000,
    return503OnClosing: true,
    forceCloseConnections: true,
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory } },
    frameworkErrors: frameworkErrorHandler(securityHeaders),
    clientErrorHandler: clientErrorHandler(securityHeaders)
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.addSchema(ErrorResponseSchema)
  app.setErrorHandler((err, request, reply) => {
    const { internal, ...body } = toPublicError(err)
    if (internal) request.log.error({ err }, 'request failed')
    // Refused while the body is still arriving (an upload over the limit): answer now and end the
    // connection, rather than read the rest of what a phone on a slow uplink would keep sending.
    if (!request.raw.complete) reply.header('connection', 'close')
    return reply.code(body.statusCode).send(body)
  })
  // The path is not echoed back: an error body never reflects what the client sent.
  app.setNotFoundHandler((request) => {
    throw notFound(`No ${request.method} route here`)
  })

  await app.register(dbPlugin, {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    queryDeadlineMs: 5000,
    ...(overrides.database === undefined ? {} : { database: overrides.database })
  })
  await app.register(mediaPlugin, {
    dataDir: config.dataDir,
    secret: config.jwtSecret,
    cloudinaryUrl: config.cloudinaryUrl,
    ...(overrides.cloudinaryTimeoutMs === undefined ? {} : { cloudinaryTimeoutMs: overrides.cloudinaryTimeoutMs }),
    ...(overrides.heicWorkerUrl === undefined ? {} : { heicWorkerUrl: overrides.heicWorkerUrl })
  })
  await app.register(authPlugin, { jwtSecret: config.jwtSecret, tokenTtlMs: config.tokenTtlMs })
  await app.register(chatPlugin, { cacheRecent: config.redisUrl === null })
  await app.register(redisPlugin, { redisUrl: config.redisUrl, baselines: () => app.chat.lastSeqs() })
  await app.register(securityPlugin, { imageOrigins: config.cloudinaryUrl === null ? [] : ['https://res.cloudinary.com'] })
  await app.register(websocketPlugin)
  await app.register(realtimePlugin, { ...overrides.realtime, wsLimit: config.rateLimits.ws })
  await app.register(pushPlugin, {
    settings: config.push,
    ...(overrides.pushSender === undefined ? {} : { sender: overrides.pushSender })
  })
  await app.register(docsPlugin)
  await app.register(adminSocketPlugin, { dataDir: config.dataDir })
  await app.register(backupsPlugin, { schedule: config.backup })

  await app.register(healthRoutes)
  const passwordAttempts = app.security.limitKeyed(config.rateLimits.login, 'login-user')
  await app.register(authRoutes, { prefix: '/api/auth', loginLimit: config.rateLimits.login, passwordAttempts })
  await app.register(wsRoutes)
  await app.register(mediaRoutes, { prefix: '/media' })
  await app.register(webRoutes)
  await app.register(async (api) => {
    api.addHook('onRequest', api.auth.authenticate)
    api.addHook('onRequest', api.security.limitBy(config.rateLimits.api, 'api', (request) => request.auth?.userId ?? ''))
    await api.register(sessionRoutes, { prefix: '/api/auth', passwordAttempts })
    await api.register(userRoutes, { prefix: '/api/users', maxUploadBytes: config.maxUploadBytes })
    await api.register(roomRoutes, { prefix: '/api/rooms' })
    await api.register(messageRoutes, { prefix: '/api/messages' })
    await api.register(uploadRoutes, { prefix: '/api/messages', maxUploadBytes: config.maxUploadBytes })
    await api.register(searchRoutes, { prefix: '/api/search' })
    await api.register(pushRoutes, { prefix: '/api/push' })
  })

  return app
}
