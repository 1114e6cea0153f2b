import fp from 'fastify-plugin'
import type { MessageRow } from '../db/schema/index.js'
import { createChatService, type ChatService } from '../src/chat/chat-service.js'
import { toMessageDto, type Message } from '../src/schemas/message.js'

export default fp(async (app) => {
  // With several instances, events committed elsewhere never pass through this one's room log,
  // so only a single instance may keep the newest messages in memory.
  const chat = createChatService(app.db, { cacheRecent: app.redisFanout === null })
  app.decorate('chat', chat)
  app.decorate('toMessageDto', (row: MessageRow) => toMessageDto(row, app.media.urls))
  // Graceful shutdown: every send already received is committed (and acked) before the database closes.
  app.addHook('preClose', () => chat.drain())
}, { name: 'chat', dependencies: ['db', 'media', 'redis'] })

declare module 'fastify' {
  interface FastifyInstance {
    chat: ChatService
    toMessageDto (row: MessageRow): Message
  }
}
