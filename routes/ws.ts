import type { FastifyPluginAsync } from 'fastify'
import { rateLimited } from '../src/errors.js'
import { authOf } from './auth-of.js'

const wsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/ws', {
    websocket: true,
    // Before the upgrade: a bad token or one socket too many is refused with a plain HTTP error.
    onRequest: [
      app.auth.authenticateUpgrade,
      async (request) => {
        if (!app.realtime.canAccept(authOf(request).userId)) throw rateLimited('Too many open sockets for this user')
      }
    ],
    // Helmet's headers went onto the stand-in response @fastify/websocket makes for an upgrade. ws
    // writes its own 101 straight to the socket, so they are never sent, yet that response lives
    // as long as the socket does: about 1 KB each. Refusals above still carry them.
    preHandler: async (request, reply) => {
      if (request.ws) for (const name of reply.raw.getHeaderNames()) reply.raw.removeHeader(name)
    },
    schema: { hide: true }
  }, (socket, request) => {
    app.realtime.accept(socket, request.raw.socket, authOf(request))
  })
}

export default wsRoutes
