// The physical ceiling for fan-out: a bare `ws` server that broadcasts every frame it receives to
// every client — no auth, no validation, no persistence. Serialises nothing: it forwards the bytes
// it received, as a text frame.
// With REFERENCE_CORK=1 each client's TCP socket is corked at its first frame of a tick and
// uncorked after it, as the product's registry does: the stricter reference, one write per socket
// per tick instead of one per frame.
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'

const CORK = process.env.REFERENCE_CORK === '1'
/** The received bytes go out as they came, a text frame, encoded by nobody. */
const TEXT = { binary: false }
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 })
const clients = new Map<WebSocket, Duplex>()
const corked = new Set<Duplex>()
const uncorkAll = (): void => {
  for (const stream of corked) stream.uncork()
  corked.clear()
}

wss.on('connection', (socket, request) => {
  clients.set(socket, request.socket)
  socket.on('close', () => clients.delete(socket))
  socket.on('message', (frame: Buffer) => {
    for (const [client, stream] of clients) {
      if (CORK && !corked.has(stream)) {
        if (corked.size === 0) process.nextTick(uncorkAll)
        stream.cork()
        corked.add(stream)
      }
      client.send(frame, TEXT)
    }
  })
})
wss.on('listening', () => {
  const address = wss.address()
  process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`)
})
