import fp from 'fastify-plugin'
import type { RateLimit } from '../src/config.js'
import { createLocalFanout, type Fanout } from '../src/realtime/fanout.js'
import { createHub, type Hub } from '../src/realtime/hub.js'
import { createRedisPresence } from '../src/realtime/presence.js'
import { checkOptions, Type } from './options.js'

const positive = Type.Optional(Type.Integer({ minimum: 1 }))
const RealtimePluginOptionsSchema = Type.Object({
  wsLimit: Type.Object({ max: Type.Integer({ minimum: 1 }), windowMs: Type.Integer({ minimum: 1 }) }),
  heartbeatMs: positive,
  maxBufferedBytes: positive,
  maxSocketsPerUser: positive,
  fanout: Type.Optional(Type.Object({})),
  presenceHeartbeatMs: positive
})

export interface RealtimePluginOptions {
  wsLimit: RateLimit
  /** Tests shorten these; production uses the defaults in src/realtime/hub.ts. */
  heartbeatMs?: number
  maxBufferedBytes?: number
  maxSocketsPerUser?: number
  fanout?: Fanout
  /** Tests: how often instances refresh their presence in Redis. */
  presenceHeartbeatMs?: number
}

export default fp<RealtimePluginOptions>(async (app, opts) => {
  checkOptions('realtime', RealtimePluginOptionsSchema, opts)
  const redisFanout = app.redisFanout
  const hub = createHub({
    chat: app.chat,
    sessions: app.auth.sessions,
    accounts: app.auth.accounts,
    fanout: opts.fanout ?? redisFanout ?? createLocalFanout(),
    ...(redisFanout === null
      ? {}
      : {
          presence: (local, announceOffline) => createRedisPresence({
            redis: redisFanout.redis,
            instanceId: redisFanout.instanceId,
            local,
            announceOffline,
            ...(opts.presenceHeartbeatMs === undefined ? {} : { heartbeatMs: opts.presenceHeartbeatMs })
          })
        }),
    log: app.log,
    wsLimit: opts.wsLimit,
    ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }),
    ...(opts.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: opts.maxBufferedBytes }),
    ...(opts.maxSocketsPerUser === undefined ? {} : { maxSocketsPerUser: opts.maxSocketsPerUser })
  })
  app.decorate('realtime', hub)
  // preClose: before the HTTP server and the database close, every received send is committed
  // and acked, then sockets close with 1001.
  app.addHook('preClose', () => hub.shutdown())
}, { name: 'realtime', fastify: '5.x', dependencies: ['chat', 'auth', 'websocket', 'redis'] })

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Hub
  }
}
