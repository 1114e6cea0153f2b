// The physical ceiling for fan-out: a bare `ws` server that broadcasts every frame it receives to
// every client — no auth, no validation, no persistence. Serialises nothing: it forwards the bytes.
import { WebSocketServer, type WebSocket } from 'ws'

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 })
const clients = new Set<WebSocket>()
wss.on('connection', (socket) => {
  clients.add(socket)
  socket.on('close', () => clients.delete(socket))
  socket.on('message', (data) => {
    const frame = data.toString()
    for (const client of clients) client.send(frame)
  })
})
wss.on('listening', () => {
  const address = wss.address()
  process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`)
})
