import t from 'tap'
import { bearer, build, userWithToken } from '../helper.js'

t.test('health and ready answer without a token', async (t) => {
  const app = await build(t)
  const health = await app.inject({ url: '/health' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ok', database: 'ok' })
})

t.test('ready is 503 when the database does not answer', async (t) => {
  const app = await build(t)
  t.capture(app.database.db, 'execute', () => Promise.reject(new Error('connection terminated')))
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', database: 'down' })
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'the process itself is still up')
})

t.test('the OpenAPI document is generated from the route schemas', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const spec = res.json() as { openapi: string, paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }
  t.match(spec.openapi, /^3\./)
  t.ok(spec.paths['/api/auth/login']?.post, 'login documented')
  t.ok(spec.paths['/api/auth/sessions/{id}']?.delete, 'session revocation documented')
  t.ok(spec.paths['/api/auth/login']?.post?.responses['401'], 'error responses documented')
  const ui = await app.inject({ url: '/docs' })
  t.ok([200, 302].includes(ui.statusCode))
})

t.test('HEAD of the docs answers as GET does, without the body', async (t) => {
  const app = await build(t)
  for (const url of ['/docs/json', '/docs']) {
    const get = await app.inject({ url })
    const head = await app.inject({ method: 'HEAD', url })
    t.equal(head.statusCode, get.statusCode, `${url}: the same status`)
    t.equal(head.headers['content-type'], get.headers['content-type'], `${url}: the same type`)
    t.equal(head.headers['content-security-policy'], get.headers['content-security-policy'], `${url}: the same policy`)
    t.equal(head.body, '', `${url}: no body`)
  }
})

t.test('/docs works over plain HTTP on a home-network name: its policy does not upgrade its own assets to https', async (t) => {
  const app = await build(t)
  const headers = { host: 'familychat.lan:3000' }
  const page = await app.inject({ url: '/docs', headers })
  t.equal(page.statusCode, 200)
  const assets = [...page.body.matchAll(/(?:src|href)="(\/docs\/static\/[^"]+)"/g)].map((m) => m[1]!)
  t.ok(assets.length >= 5, `the UI's scripts and styles (${assets.join(', ')})`)
  for (const res of [page, ...await Promise.all(assets.map((url) => app.inject({ url, headers })))]) {
    t.equal(res.statusCode, 200)
    t.notMatch(String(res.headers['content-security-policy'] ?? ''), /upgrade-insecure-requests/)
  }
})

t.test('an unknown route is 404 in the contract shape', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/nope?token=secret' })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, code: 'not_found', error: 'Not Found', message: 'No GET route here' })
})

t.test('helmet headers are set', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/health' })
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.headers['content-security-policy'], /default-src 'self'/)
  t.ok(res.headers['strict-transport-security'])
})

t.test('a database failure is 500 internal and leaks nothing', async (t) => {
  const logs: Array<{ err?: Error }> = []
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  t.capture(app.log, 'error', (obj: { err?: Error }) => { logs.push(obj) })
  t.capture(app.database.db, 'select', () => {
    throw Object.assign(new Error('relation "users" does not exist: select "password_hash" from "users"'), { code: '42P01' })
  })
  const res = await app.inject({ url: '/api/auth/me', headers: bearer(alice.token) })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'internal', error: 'Internal Server Error', message: 'Internal server error' })
  t.notMatch(res.body, /select|relation|password_hash|42P01|at /)
  t.equal(logs.length, 1, 'the cause is logged for the operator')
  t.match(logs[0]?.err?.message, /relation "users"/)
})

t.test('the authorization header and token query parameter never reach the log', async (t) => {
  const lines: string[] = []
  const { Writable } = await import('node:stream')
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  const { buildApp } = await import('../../src/app.js')
  const { testConfig } = await import('../helper.js')
  const config = testConfig(t, { LOG_LEVEL: 'info' })
  // The production logger options, writing to a buffer instead of stdout.
  const app = await buildApp({ ...config, databaseUrl: null }, { logStream: stream })
  t.teardown(() => app.close())
  await app.inject({ url: '/api/auth/me?token=sekret-query-token', headers: { authorization: 'Bearer sekret-header-token' } })
  const log = lines.join('')
  t.match(log, /incoming request/)
  t.notMatch(log, /sekret/)
})
