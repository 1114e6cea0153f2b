import fp from 'fastify-plugin'
import { createChatService, type ChatService } from '../src/chat/chat-service.js'
import { checkOptions, Type } from './options.js'

export interface ChatPluginOptions {
  /**
   * Keep the newest messages of busy rooms in memory. Only for a single instance: with several,
   * events committed elsewhere never pass through this one's room log.
   */
  cacheRecent: boolean
}

export default fp<ChatPluginOptions>(async (app, opts) => {
  checkOptions('chat', Type.Object({ cacheRecent: Type.Boolean() }), opts)
  const chat = createChatService({
    database: app.database,
    media: { store: app.media.store, pipeline: app.media.pipeline },
    log: app.log,
    cacheRecent: opts.cacheRecent
  })
  app.decorate('chat', chat)
  // Graceful shutdown: every send already received is committed (and acked) before the database closes.
  app.addHook('preClose', () => chat.drain())
}, { name: 'chat', fastify: '5.x', dependencies: ['db', 'media'] })

declare module 'fastify' {
  interface FastifyInstance {
    chat: ChatService
  }
}
