import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import { MAX_FRAME_BYTES } from '../src/realtime/envelope.js'

export default fp(async (app) => {
  await app.register(websocket, {
    // ws defaults to 100 MiB; the contract closes anything over 64 KiB with 1009. Compression
    // stays off: the registry writes frames framed once beside ws's own (src/realtime/registry.ts).
    options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
    errorHandler (error, socket, request) {
      request.log.warn({ err: error }, 'websocket error')
      socket.terminate()
    },
    // Closing sockets is the realtime plugin's job (after in-flight sends are acked, with 1001);
    // here only the upgrade server stops.
    preClose (done) {
      this.websocketServer.close()
      done()
    }
  })
}, { name: 'websocket', fastify: '5.x' })
