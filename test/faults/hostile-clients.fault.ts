import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import WebSocket from 'ws'
import { PASSWORD, tempDir, TEST_SECRET } from '../helper.js'
import { servedFamily } from '../fixtures/served-family.js'
import { openSocketAt } from '../fixtures/ws-client.js'
import { craftJwt } from '../fixtures/jwt.js'

const rssOf = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024
}

const server = (t: Test) => servedFamily(t, { DATA_DIR: tempDir(t), JWT_SECRET: TEST_SECRET, RATE_LIMIT_LOGIN: '5/min' })

function fuzzFrame (i: number, roomId: string): string | Buffer {
  const pick = i % 10
  if (pick === 0) return randomBytes(1 + (i % 200))
  if (pick === 1) return '['.repeat(5000) + ']'.repeat(5000)
  if (pick === 2) return JSON.stringify({ type: 'message.send', id: String(i), data: { roomId, body: '𝄞\u0000\uD800'.repeat(3000), clientId: `f${i}` } })
  if (pick === 3) return JSON.stringify({ type: 'x'.repeat(i % 100), data: { a: { b: { c: [1, 2, { d: null }] } } } })
  if (pick === 4) return JSON.stringify({ type: 'sync', data: { roomId: "' or 1=1 --", since: -i, limit: 'all' } })
  if (pick === 5) return JSON.stringify({ type: 'message.edit', data: { messageId: '../../etc/passwd', body: '<script>alert(1)</script>' } })
  if (pick === 6) return JSON.stringify({ type: 'read', data: { roomId, seq: Number.MAX_SAFE_INTEGER * 10 } })
  if (pick === 7) return `{"type":"ping","data":{}${' '.repeat(i % 50)}`
  if (pick === 8) return JSON.stringify({ type: '__proto__', data: { constructor: { prototype: { polluted: true } } } })
  return JSON.stringify({ type: 'typing', data: { roomId: randomBytes(8).toString('hex') } })
}

t.test('thousands of malformed and hostile frames: the server stays up, answers others, memory stays bounded', async (t) => {
  const { server: proc, token, roomId } = await server(t)
  const wsUrl = proc.url.replace('http:', 'ws:')
  const honest = await openSocketAt(wsUrl, token)
  const rssBefore = rssOf(proc.pid)
  let tried = 0
  for (let round = 0; round < 10; round++) {
    const attackers = await Promise.all(Array.from({ length: 5 }, () => openSocketAt(wsUrl, token)))
    for (const [a, socket] of attackers.entries()) {
      for (let i = 0; i < 100; i++) {
        if (socket.ws.readyState !== WebSocket.OPEN) break
        socket.send(fuzzFrame(round * 1000 + a * 100 + i, roomId))
        tried++
      }
    }
    // The honest client is answered between every round.
    const started = performance.now()
    t.equal((await honest.request('ping', {})).type, 'pong')
    t.comment(`round ${round}: the honest ping took ${(performance.now() - started).toFixed(1)} ms`)
    for (const socket of attackers) socket.ws.terminate()
  }
  t.ok(tried >= 4000, `${tried} hostile frames sent`)
  const rssAfter = rssOf(proc.pid)
  t.ok(rssAfter - rssBefore < 200 * 1024 * 1024, `RSS grew ${Math.round((rssAfter - rssBefore) / 1048576)} MB`)
  const health = await fetch(`${proc.url}/health`)
  t.equal(health.status, 200)
  await honest.close()
})

t.test('half-open sockets, clients that never read and connection floods do not take it down', async (t) => {
  const { server: proc, token } = await server(t)
  const port = Number(new URL(proc.url).port)
  // Half-open: TCP connections that send a partial upgrade and stall.
  const raw = Array.from({ length: 200 }, () => {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n')
    return socket
  })
  // Bad-token upgrade flood.
  const floods = await Promise.all(Array.from({ length: 200 }, () => new Promise<number>((resolve) => {
    const ws = new WebSocket(`${proc.url.replace('http:', 'ws:')}/ws?token=${craftJwt({ sub: 'x', sid: 'y' }, 'wrong-secret-wrong-secret-wrong-secret')}`)
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate() })
    ws.on('error', () => resolve(-1))
  })))
  t.ok(floods.every((code) => code === 401), 'every forged upgrade refused with 401')
  const honest = await openSocketAt(proc.url.replace('http:', 'ws:'), token)
  t.equal((await honest.request('ping', {})).type, 'pong')
  for (const socket of raw) socket.destroy()
  await honest.close()
})

t.test('hostile HTTP: brute force is limited, injections and traversal go nowhere, nothing leaks', async (t) => {
  const { server: proc, token } = await server(t)
  const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${proc.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: `guess-${i}` })
  }).then((r) => r.status)))
  t.ok(attempts.filter((s) => s === 429).length >= 15, 'brute force is rate limited')
  const probes = [
    '/api/messages?roomId=%27%20or%201%3D1%20--', '/api/messages?since=1%3B%20drop%20table%20messages', '/api/messages?limit=50;select',
    '/media/..%2F..%2Fjwt-secret?exp=9999999999&sig=x', '/media/%2e%2e%2fpglite.lock', '/api/rooms/..%2F..%2F/read',
    '/api/messages/%00', '/api/auth/sessions/%27%3Bselect%20pg_sleep(5)--'
  ]
  for (const path of probes) {
    const res = await fetch(`${proc.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
    const body = await res.text()
    t.ok(res.status >= 400 && res.status < 500, `${path} → ${res.status}`)
    t.notMatch(body, /select|syntax|stack|at \/|postgres|pglite|jwt-secret/i)
  }
  // A multipart bomb: thousands of parts. The parser's limits stop it; nothing is stored.
  const boundary = 'bomb'
  const bomb = Array.from({ length: 5000 }, (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + `--${boundary}--\r\n`
  const bombed = await fetch(`${proc.url}/api/messages/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: bomb })
  t.equal(bombed.status, 413, 'thousands of parts → 413')
  const history = await (await fetch(`${proc.url}/api/messages`, { headers: { authorization: `Bearer ${token}` } })).json() as { messages: unknown[] }
  t.same(history.messages, [], 'nothing stored by any of it')
  const giant = await fetch(`${proc.url}/api/rooms`, { headers: { authorization: `Bearer ${token}`, 'x-giant': 'x'.repeat(64 * 1024) } }).then((r) => r.status, () => 431)
  t.ok([400, 413, 431].includes(giant), `giant header → ${giant}`)
  const logs = proc.logs.join('\n')
  t.notMatch(logs, new RegExp(PASSWORD), 'no password in the log')
  t.notMatch(logs, new RegExp(token.split('.')[2]!), 'no token in the log')
  t.notMatch(logs, /\$argon2id\$/, 'no password hash in the log')
})
