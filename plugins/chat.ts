import fp from 'fastify-plugin'
import type { MessageRow } from '../db/schema/index.js'
import { createChatService, type ChatService } from '../src/chat/chat-service.js'
import { toMessageDto, type Message } from '../src/schemas/message.js'

export default fp(async (app) => {
  const chat = createChatService(app.db)
  app.decorate('chat', chat)
  app.decorate('toMessageDto', (row: MessageRow) => toMessageDto(row, app.media.urls))
  // Graceful shutdown: every send already received is committed (and acked) before the database closes.
  app.addHook('preClose', () => chat.drain())
}, { name: 'chat', dependencies: ['db', 'media'] })

declare module 'fastify' {
  interface FastifyInstance {
    chat: ChatService
    toMessageDto (row: MessageRow): Message
  }
}
