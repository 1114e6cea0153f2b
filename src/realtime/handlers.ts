import type { ChatService } from '../chat/chat-service.js'
import { notFound } from '../errors.js'
import { encode, type ClientData, type ClientMessageType } from './envelope.js'
import type { Connection, Registry } from './registry.js'
import type { Fanout } from './fanout.js'

export interface HandlerContext {
  connection: Connection
  chat: ChatService
  registry: Registry
  fanout: Fanout
  /** False when this connection's typing in the room was relayed too recently. */
  allowTyping (roomId: string): boolean
  /** The app went to the background or came back (push notifications skip foreground sessions). */
  setVisible (visible: boolean): void
}

/** What the dispatcher sends back, with the request's id; null sends nothing. */
export type Reply = { type: 'ack' | 'messages' | 'pong', data: object } | null

type Handler<T extends ClientMessageType> = (ctx: HandlerContext, data: ClientData<T>) => Promise<Reply>

const roomNotFound = () => notFound('No such room')

/** One handler per client frame type of the contract; a missing one is a compile error. */
export const clientHandlers: { [T in ClientMessageType]: Handler<T> } = {
  async 'message.send' (ctx, data) {
    // The socket's rooms are its memberships: no query before the append keeps send order.
    if (!ctx.registry.isInRoom(ctx.connection, data.roomId)) throw roomNotFound()
    const { message } = await ctx.chat.send(ctx.connection.userId, data, { member: true })
    return { type: 'ack', data: { message: ctx.chat.toDto(message) } }
  },

  async 'message.edit' (ctx, data) {
    const { message } = await ctx.chat.edit(ctx.connection.userId, data.messageId, data.body)
    return { type: 'ack', data: { message: ctx.chat.toDto(message) } }
  },

  async 'message.delete' (ctx, data) {
    const { message } = await ctx.chat.remove(ctx.connection.userId, data.messageId)
    return { type: 'ack', data: { message: ctx.chat.toDto(message) } }
  },

  async 'message.react' (ctx, data) {
    const { message } = await ctx.chat.react(ctx.connection.userId, data.messageId, data.emoji)
    return { type: 'ack', data: { message: ctx.chat.toDto(message) } }
  },

  async sync (ctx, data) {
    const page = await ctx.chat.history(ctx.connection.userId, { roomId: data.roomId, since: data.since, limit: data.limit ?? 100 })
    return { type: 'messages', data: { roomId: page.roomId, ...ctx.chat.pageDto(page) } }
  },

  async typing (ctx, data) {
    if (!ctx.registry.isInRoom(ctx.connection, data.roomId)) throw roomNotFound()
    if (ctx.allowTyping(data.roomId)) {
      const frame = encode('typing', { roomId: data.roomId, userId: ctx.connection.userId })
      ctx.fanout.publish({ kind: 'room', roomId: data.roomId, frame, exceptUserId: ctx.connection.userId })
    }
    return null
  },

  async read (ctx, data) {
    await ctx.chat.markRead(ctx.connection.userId, data.roomId, data.seq)
    return { type: 'ack', data: {} }
  },

  async visibility (ctx, data) {
    ctx.setVisible(data.visible)
    return null
  },

  async ping () {
    return { type: 'pong', data: {} }
  }
}
