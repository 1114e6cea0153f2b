import { once } from 'node:events'
import t from 'tap'
import type { Socket } from 'node:net'
import { CLOSE } from '../../src/realtime/envelope.js'
import { adminCommands } from '../../src/admin/commands.js'
import { aliceAndBob, bearer, build, login, PASSWORD, userWithToken } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'
import { decodeJwt } from '../fixtures/jwt.js'

t.test('logout closes this device\'s idle sockets with 4001 at once, and only those', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const laptop = await login(app, 'alice')
  const phoneSocket = await openSocket(app, alice.token)
  const laptopSocket = await openSocket(app, laptop)
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(alice.token) })).statusCode, 204)
  t.equal((await phoneSocket.closed).code, CLOSE.unauthorized)
  t.equal((await laptopSocket.request('ping', {})).type, 'pong', 'the other device stays connected')
  await laptopSocket.close()
})

t.test('revoking a session, logout-all and a password change close the affected sockets', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const lost = await login(app, 'alice')
  const lostSocket = await openSocket(app, lost)
  await app.inject({ method: 'DELETE', url: `/api/auth/sessions/${decodeJwt(lost).sid as string}`, headers: bearer(alice.token) })
  t.equal((await lostSocket.closed).code, CLOSE.unauthorized, 'session revocation')

  const other = await login(app, 'alice')
  const here = await openSocket(app, alice.token)
  const there = await openSocket(app, other)
  const res = await app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(alice.token), payload: { currentPassword: PASSWORD, newPassword: 'the new secret!' } })
  t.equal(res.statusCode, 200)
  t.equal((await there.closed).code, CLOSE.unauthorized, 'password change closes the other devices')
  t.equal((await here.request('ping', {})).type, 'pong', 'but not this one')

  await app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: bearer(alice.token) })
  t.equal((await here.closed).code, CLOSE.unauthorized, 'logout-all')
})

t.test('disabling a user (admin command) closes their sockets', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  await adminCommands['disable-user']({ db: app.database.db, onRevoked: (ids, userId) => app.auth.sessions.forget(ids, userId) }, { username: 'alice' })
  t.equal((await socket.closed).code, CLOSE.unauthorized)
})

t.test('a request frame after the token expired closes the socket with 4001', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  t.equal((await socket.request('ping', {})).type, 'pong')
  const later = Date.now() + 31 * 86_400_000
  t.capture(Date, 'now', () => later)
  const answer = await socket.request('ping', {})
  t.match(answer, { type: 'error', data: { code: 'unauthorized' } })
  t.equal((await socket.closed).code, CLOSE.unauthorized)
})

t.test('an idle socket whose token expires is closed with 4001 at the next heartbeat, without a request', async (t) => {
  const app = await build(t, {}, { realtime: { heartbeatMs: 50 } })
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  const aliceExpiresAt = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString()).exp * 1000
  // Three heartbeats with a live token: nothing happens.
  for (let i = 0; i < 3; i++) await once(socket.ws, 'ping')
  t.equal((await socket.request('ping', {})).type, 'pong', 'open while the token lives')
  t.capture(Date, 'now', () => aliceExpiresAt)
  t.equal((await socket.closed).code, CLOSE.unauthorized)
})

t.test('flooding gets rate_limited, and a socket that keeps on is closed with 4008', async (t) => {
  const app = await build(t, { RATE_LIMIT_WS: '5/s' })
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  for (let i = 0; i < 6; i++) socket.send(JSON.stringify({ type: 'ping', id: `p${i}`, data: {} }))
  const limited = await socket.next('error')
  t.match(limited.data, { code: 'rate_limited' })
  t.equal(socket.frames.filter((f) => f.type === 'pong').length <= 5, true)
  for (let i = 0; i < 20; i++) socket.send(JSON.stringify({ type: 'ping', data: {} }))
  t.equal((await socket.closed).code, CLOSE.rateLimited)
})

for (const [rhythm, burst, everyMs] of [['20 frames every 50 ms', 20, 50], ['45 frames every second', 45, 1000]] as const) {
  t.test(`a socket flooding in bursts (${rhythm}) is closed with 4008, not limited forever`, async (t) => {
    const app = await build(t, { RATE_LIMIT_WS: '20/s' })
    const alice = await userWithToken(app, 'alice')
    const socket = await openSocket(app, alice.token)
    const burstOnce = (): void => {
      if (socket.ws.readyState !== socket.ws.OPEN) return
      for (let i = 0; i < burst; i++) socket.send(JSON.stringify({ type: 'ping', data: {} }))
    }
    burstOnce()
    const pacer = setInterval(burstOnce, everyMs)
    t.teardown(() => clearInterval(pacer))
    // Bounded: the guard closes 20× in well under a second and 2.25× in about two.
    const closed = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(resolve, 15_000, null).unref())])
    clearInterval(pacer)
    t.equal(closed?.code, CLOSE.rateLimited)
    t.ok(socket.frames.some((f) => f.type === 'error' && f.data.code === 'rate_limited'), 'told rate_limited first')
  })
}

t.test('a client that stops reading is dropped; the registry forgets it', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t, {}, { realtime: { maxBufferedBytes: 64 * 1024 } })
  const reader = await openSocket(app, alice.token)
  const stalled = await openSocket(app, bob.token)
  const roomId = (reader.ready.data.rooms as Array<{ id: string }>)[0]!.id
  // Bob's client stops reading: its TCP window fills and the server's buffer for it grows.
  const raw = (stalled.ws as unknown as { _socket: Socket })._socket
  raw.pause()
  const body = 'x'.repeat(3900)
  let sent = 0
  const serverSide = app.realtime.registry.connectionsOfUser(bob.id)[0]!
  let peak = 0
  while (app.realtime.registry.isOnline(bob.id) && sent < 2000) {
    await reader.request('message.send', { roomId, body, clientId: `m${sent++}` })
    peak = Math.max(peak, serverSide.socket.bufferedAmount)
  }
  t.notOk(app.realtime.registry.isOnline(bob.id), `dropped after ${sent} messages`)
  t.ok(peak <= 64 * 1024 + 8 * 1024, `the server buffered at most ${peak} bytes for it`)
  t.equal((await reader.request('ping', {})).type, 'pong', 'others are unaffected')
  raw.resume()
  await stalled.closed
  await reader.close()
})

t.test('the server pings and drops a peer that stops answering', async (t) => {
  const app = await build(t, {}, { realtime: { heartbeatMs: 50 } })
  const alice = await userWithToken(app, 'alice')
  const healthy = await openSocket(app, alice.token)
  const dead = await openSocket(app, alice.token)
  const raw = (dead.ws as unknown as { _socket: Socket })._socket
  raw.pause()
  const serverSide = app.realtime.registry.connectionsOfUser(alice.id)
  await new Promise<void>((resolve) => serverSide[1]!.socket.once('close', () => resolve()))
  t.equal(app.realtime.registry.connectionsOfUser(alice.id).length, 1, 'the dead one is gone')
  // The healthy socket answered every ping and is still here.
  t.equal((await healthy.request('ping', {})).type, 'pong')
  raw.destroy()
  await healthy.close()
})
