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
    schema: { hide: true }
  }, (socket, request) => {
    app.realtime.accept(socket, request.raw.socket, authOf(request))
  })
}

export default wsRoutes
