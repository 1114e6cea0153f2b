import t from 'tap'
import WebSocket from 'ws'
import { once } from 'node:events'
import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { aliceAndBob, bearer, build, login, TEST_SECRET, userWithToken } from '../helper.js'
import { listenUrl, openSocket } from '../fixtures/ws-client.js'
import { craftJwt, decodeJwt } from '../fixtures/jwt.js'

async function upgradeStatus (app: FastifyInstance, path: string, headers: Record<string, string> = {}): Promise<{ status: number, body: string, policy: string }> {
  const ws = new WebSocket(`${await listenUrl(app)}${path}`, { headers })
  const [, res] = await once(ws, 'unexpected-response') as [unknown, IncomingMessage]
  let body = ''
  for await (const chunk of res) body += String(chunk)
  return { status: res.statusCode ?? 0, body, policy: String(res.headers['content-security-policy'] ?? '') }
}

t.test('the first frame is ready, with the user and their rooms', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(bob.token), payload: { body: 'hi' } })
  const socket = await openSocket(app, alice.token)
  t.equal(socket.frames[0]?.type, 'ready')
  const { user, rooms, serverTime } = socket.ready.data as { user: unknown, rooms: Array<Record<string, unknown>>, serverTime: string }
  t.same(user, { id: alice.id, username: 'alice', displayName: 'alice', avatarUrl: null })
  t.match(rooms, [{ name: 'Family', kind: 'group', lastSeq: 1, lastReadSeq: 0, unread: 1 }])
  t.ok(Math.abs(Date.parse(serverTime) - Date.now()) < 60_000)
  await socket.close()
})

t.test('the token may come as a query parameter (browsers)', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token, { via: 'query' })
  t.equal(socket.ready.type, 'ready')
  t.equal((await socket.request('ping', {})).type, 'pong')
  await socket.close()
})

t.test('a bad token is refused before the upgrade with 401', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const revoked = await login(app, 'alice')
  await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(revoked) })
  const { sid } = decodeJwt(alice.token)
  const now = Math.floor(Date.now() / 1000)
  const cases: Array<[string, string, Record<string, string>]> = [
    ['no token', '/ws', {}],
    ['garbage in the header', '/ws', { authorization: 'Bearer nope' }],
    ['garbage in the query', '/ws?token=nope', {}],
    ['an empty query token', '/ws?token=', {}],
    ['a revoked session', '/ws', bearer(revoked)],
    ['an expired token', '/ws', bearer(craftJwt({ sub: alice.id, sid, iat: now - 100, exp: now - 10 }, TEST_SECRET))],
    ['alg none', `/ws?token=${craftJwt({ sub: alice.id, sid, iat: now, exp: now + 100 }, '', 'none')}`, {}]
  ]
  for (const [name, path, headers] of cases) {
    const { status, body, policy } = await upgradeStatus(app, path, headers)
    t.equal(status, 401, name)
    t.match(JSON.parse(body), { statusCode: 401, code: 'unauthorized' }, name)
    t.match(policy, /default-src 'self'/, `${name}: a refusal keeps the security headers`)
  }
  t.equal(app.realtime.registry.size, 0, 'nothing registered')
})

t.test('an accepted upgrade keeps no headers on the response it never sends', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  // @fastify/websocket's own upgrade listener runs first and gives the TCP socket a stand-in
  // response, kept while the socket is open; ws writes the 101 itself, so its headers were waste.
  const upgraded: Array<Duplex & { _httpMessage?: unknown }> = []
  app.server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => { upgraded.push(socket) })
  const socket = await openSocket(app, alice.token)
  const response = upgraded[0]?._httpMessage
  t.ok(response instanceof ServerResponse, 'the stand-in response the socket keeps')
  t.same((response as ServerResponse).getHeaderNames(), [], 'none of helmet\'s headers')
  await socket.close()
})

t.test('a user may hold a bounded number of sockets', async (t) => {
  const app = await build(t, {}, { realtime: { maxSocketsPerUser: 2 } })
  const alice = await userWithToken(app, 'alice')
  const one = await openSocket(app, alice.token)
  const two = await openSocket(app, alice.token)
  const { status, body, policy } = await upgradeStatus(app, '/ws', bearer(alice.token))
  t.equal(status, 429)
  t.match(JSON.parse(body), { code: 'rate_limited' })
  t.match(policy, /default-src 'self'/, 'a refusal keeps the security headers')
  await one.close()
  const three = await openSocket(app, alice.token)
  t.equal(three.ready.type, 'ready', 'a freed slot can be used again')
  await Promise.all([two.close(), three.close()])
})

t.test('presence: announced on the first socket and after the last one closes', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const watcher = await openSocket(app, bob.token)
  const first = await openSocket(app, alice.token)
  const online = await watcher.next('presence', (f) => f.data.userId === alice.id)
  t.match(online.data, { userId: alice.id, online: true, lastSeenAt: String })
  const users = (await app.inject({ url: '/api/users', headers: bearer(bob.token) })).json().users
  t.same(users.map((u: { username: string, online: boolean }) => [u.username, u.online]), [['alice', true], ['bob', true]])

  const second = await openSocket(app, alice.token)
  await first.close()
  // The user is still online through the second socket: only its close announces offline.
  await second.close()
  const offline = await watcher.next('presence', (f) => f.data.userId === alice.id)
  t.match(offline.data, { userId: alice.id, online: false })
  t.equal(watcher.frames.filter((f) => f.type === 'presence' && f.data.userId === alice.id).length, 2, 'exactly one online and one offline')
  const after = (await app.inject({ url: '/api/users', headers: bearer(bob.token) })).json().users
  t.same(after.map((u: { online: boolean }) => u.online), [false, true])
  t.same(app.realtime.registry.stats(), { rooms: 1, connections: 1, users: 1, sessions: 1 }, 'only the watcher is left')
  await watcher.close()
})
