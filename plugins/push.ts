import fp from 'fastify-plugin'
import type { PushSettings } from '../src/config.js'
import { createPushService, pushDisabled, type PushService, type PushServiceOptions } from '../src/push/push-service.js'
import type { PushConfig } from '../src/schemas/push.js'
import { checkOptions, Type } from './options.js'

export interface PushPluginOptions {
  /** null: push is off (PUSH_CONTACT unset). */
  settings: PushSettings | null
  /** Tests: a smaller queue, a shorter deadline. */
  sender?: PushServiceOptions['sender']
}

export interface PushNamespace {
  readonly config: PushConfig
  /** The push service; throws `409 conflict` when push is off. */
  service (): PushService
}

const positive = Type.Optional(Type.Integer({ minimum: 1 }))
const OptionsSchema = Type.Object({
  settings: Type.Union([
    Type.Object({ contact: Type.String({ pattern: '^(mailto:|https://)' }), endpointHosts: Type.Array(Type.String({ minLength: 1 })) }),
    Type.Null()
  ]),
  sender: Type.Optional(Type.Object({ concurrency: positive, queueLimit: Type.Optional(Type.Integer({ minimum: 0 })), timeoutMs: positive, retryDelayMs: Type.Optional(Type.Integer({ minimum: 0 })) }))
})

/** Web Push (src/push): devices' subscriptions, and a push for each new message to whoever is away. */
export default fp<PushPluginOptions>(async (app, opts) => {
  checkOptions('push', OptionsSchema, opts)
  if (opts.settings === null) {
    app.decorate('push', { config: { enabled: false, publicKey: null }, service: () => { throw pushDisabled() } } satisfies PushNamespace)
    return
  }
  const service = await createPushService(opts.settings, {
    db: app.database.db,
    chat: app.chat,
    inForeground: (sessionIds) => app.realtime.inForeground(sessionIds),
    onRevoked: (listener) => app.auth.sessions.onRevoked(listener),
    log: app.log.child({ component: 'push' }),
    ...(opts.sender === undefined ? {} : { sender: opts.sender })
  })
  app.decorate('push', { config: { enabled: true, publicKey: service.publicKey }, service: () => service } satisfies PushNamespace)
  app.addHook('onClose', () => service.close())
}, { name: 'push', fastify: '5.x', dependencies: ['db', 'chat', 'realtime'] })

declare module 'fastify' {
  interface FastifyInstance {
    push: PushNamespace
  }
}
