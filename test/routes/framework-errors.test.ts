import { connect } from 'node:net'
import t from 'tap'
import { build } from '../helper.js'
import { listenUrl } from '../fixtures/ws-client.js'

const SHAPE = { statusCode: Number, code: String, error: String, message: String }

t.test('errors Fastify raises before a route runs have the contract\'s shape and headers, and echo nothing', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, number, string]> = [
    ['PATCH', `/api/messages/${'x'.repeat(150)}-marker`, 414, 'payload_too_large'],
    ['GET', '/api/messages/%E0%A4%A-marker', 400, 'validation'],
    ['GET', '/media/%zz-marker', 400, 'validation']
  ]
  for (const [method, url, status, code] of cases) {
    const res = await app.inject({ method: method as 'GET', url })
    t.equal(res.statusCode, status, url.slice(0, 30))
    t.match(res.json(), { ...SHAPE, statusCode: status, code })
    t.same(Object.keys(res.json()).sort(), ['code', 'error', 'message', 'statusCode'])
    t.notMatch(res.body, /marker|%zz|xxxx/, 'the path is not echoed')
    t.match(res.headers['content-security-policy'], /default-src 'self'/, 'security headers present')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
  }
})

async function rawRequest (port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  let response = ''
  socket.on('data', (chunk: Buffer) => { response += chunk.toString('latin1') })
  socket.write(request)
  await new Promise<void>((resolve) => socket.on('close', () => resolve()))
  return response
}

t.test('a malformed HTTP request (a bad content length, a broken request line) gets the contract\'s shape too', async (t) => {
  const app = await build(t)
  const port = Number(new URL((await listenUrl(app)).replace('ws:', 'http:')).port)
  for (const request of [
    'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
    'GET /\x00bad HTTP/1.1\r\n\r\n'
  ]) {
    const response = await rawRequest(port, request)
    const [head, body] = response.split('\r\n\r\n') as [string, string]
    t.match(head, /^HTTP\/1\.1 400 Bad Request/, JSON.stringify(request.slice(0, 40)))
    t.match(head, /content-security-policy: default-src 'self'/i)
    t.match(head, /connection: close/i)
    t.same(JSON.parse(body), { statusCode: 400, code: 'validation', error: 'Bad Request', message: 'Malformed HTTP request' })
  }
})
