import { connect } from 'node:net'
import { once } from 'node:events'
import t from 'tap'
import { build, storedMessageCount, userWithToken } from '../helper.js'
import { listenUrl } from '../fixtures/ws-client.js'

const CHUNK = Buffer.alloc(64 * 1024, 0xab)

t.test('an upload over the limit is answered 413 while the body keeps coming, and the connection closed', async (t) => {
  const app = await build(t, { MAX_UPLOAD_BYTES: '1000000' })
  const alice = await userWithToken(app, 'alice')
  const port = Number(new URL((await listenUrl(app)).replace('ws:', 'http:')).port)

  // A phone on a slow uplink: chunked, no length announced, a body that never ends on its own.
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const boundary = 'never-ending'
  socket.write(`POST /api/messages/upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${alice.token}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`)
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`)
  socket.write(`${head.length.toString(16)}\r\n`)
  socket.write(head)
  socket.write('\r\n')

  const state = { response: '', open: true }
  socket.on('data', (chunk: Buffer) => { state.response += chunk.toString('latin1') })
  // Not events.once: it rejects on 'error', and a reset is one of the outcomes looked at here.
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  let sent = 0
  socket.on('close', () => { state.open = false })
  socket.on('error', () => { state.open = false })
  // Keeps sending until the server answers and hangs up, or 200 MB (200× the limit) have gone.
  while (state.open && state.response === '' && sent < 200_000_000) {
    socket.write(`${CHUNK.length.toString(16)}\r\n`)
    socket.write(CHUNK)
    const flushed = socket.write('\r\n')
    sent += CHUNK.length
    if (!flushed && state.open) await Promise.race([once(socket, 'drain'), closed]).catch(() => {})
  }
  await closed
  t.match(state.response, /^HTTP\/1\.1 413 /, 'answered 413 before the body ended')
  t.match(state.response, /"code":"payload_too_large"/)
  t.match(state.response, /connection: close/i, 'and told the client the connection ends')
  t.ok(sent < 50_000_000, `stopped within a bounded part of the endless body (${sent} bytes sent)`)
  t.equal(await storedMessageCount(app), 0, 'nothing stored')
})
