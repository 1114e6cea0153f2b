import t from 'tap'
import { listLiveSessions } from '../../db/queries/sessions.js'
import { bearer, build, createUser, login, PASSWORD } from '../helper.js'

t.test('logs in with the right password, case-insensitively on the username', async (t) => {
  const app = await build(t)
  const id = await createUser(app, 'alice')
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'Alice', password: PASSWORD } })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['token', 'user'])
  t.same(body.user, { id, username: 'alice', displayName: 'alice', avatarUrl: null })
  const me = await app.inject({ url: '/api/auth/me', headers: bearer(body.token) })
  t.equal(me.statusCode, 200)
  t.same(me.json(), { user: body.user })
})

t.test('wrong password and unknown user are indistinguishable', async (t) => {
  const app = await build(t)
  const id = await createUser(app, 'alice')
  const wrong = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: 'not the password' } })
  const unknown = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'mallory', password: 'not the password' } })
  const malformed = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x!', password: 'not the password' } })
  // Names no database could hold: still only "wrong username or password".
  const nul = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice\u0000', password: PASSWORD } })
  const surrogate = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice\ud800', password: PASSWORD } })
  for (const res of [wrong, unknown, malformed, nul, surrogate]) {
    t.equal(res.statusCode, 401)
    t.same(res.json(), { statusCode: 401, code: 'invalid_credentials', error: 'Unauthorized', message: 'Wrong username or password' })
  }
  t.same(await listLiveSessions(app.database.db, id), [], 'no session was opened')
})

t.test('a disabled user cannot log in', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const { adminCommands } = await import('../../src/admin/commands.js')
  await adminCommands['disable-user']({ db: app.database.db, onRevoked: () => {} }, { username: 'alice' })
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: PASSWORD } })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'invalid_credentials')
})

const badBodies: Array<[string, unknown, string | undefined]> = [
  ['no body', undefined, undefined],
  ['an empty object', {}, 'application/json'],
  ['a missing password', { username: 'alice' }, 'application/json'],
  ['a non-string username', { username: 42, password: PASSWORD }, 'application/json'],
  ['an empty password', { username: 'alice', password: '' }, 'application/json'],
  ['an oversized username', { username: 'a'.repeat(65), password: PASSWORD }, 'application/json'],
  ['an oversized password', { username: 'alice', password: 'p'.repeat(1025) }, 'application/json']
]
for (const [name, payload, type] of badBodies) {
  t.test(`login with ${name} is 400 validation`, async (t) => {
    const app = await build(t)
    const id = await createUser(app, 'alice')
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      ...(type === undefined ? {} : { headers: { 'content-type': type } })
    })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { statusCode: 400, code: 'validation', error: 'Bad Request', message: String })
    t.same(await listLiveSessions(app.database.db, id), [])
  })
}

t.test('malformed JSON is 400 validation; a wrong content type is 415', async (t) => {
  const app = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username": "alice",' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'validation')
  const xml = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<login/>' })
  t.equal(xml.statusCode, 415)
  t.equal(xml.json().code, 'unsupported_media_type')
})

t.test('extra fields are stripped, not rejected', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: PASSWORD, admin: true } })
  t.equal(res.statusCode, 200)
})

t.test('login is rate limited per client address', async (t) => {
  const app = await build(t, { RATE_LIMIT_LOGIN: '3/min' })
  await createUser(app, 'alice')
  const attempt = (username: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'wrong-password' } })
  for (const name of ['a1', 'a2', 'a3']) t.equal((await attempt(name)).statusCode, 401)
  const limited = await attempt('a4')
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { statusCode: 429, code: 'rate_limited', error: 'Too Many Requests' })
  t.match(limited.headers['retry-after'], /^\d+$/)
})

t.test('login is rate limited per username across client addresses', async (t) => {
  const app = await build(t, { RATE_LIMIT_LOGIN: '3/min' })
  await createUser(app, 'alice')
  const attempt = (ip: string, password = 'wrong-password') =>
    app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { username: 'Alice', password } })
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) t.equal((await attempt(ip)).statusCode, 401)
  const limited = await attempt('10.0.0.4', PASSWORD)
  t.equal(limited.statusCode, 429, 'even the right password is refused while the username is locked')
  t.equal(limited.json().code, 'rate_limited')
  t.ok(limited.headers['retry-after'])
  // Another user from a fresh address is unaffected.
  await createUser(app, 'bob')
  t.ok(await login(app, 'bob'))
})

t.test('there is no route that creates a user', async (t) => {
  const app = await build(t)
  for (const url of ['/api/users', '/api/auth/register', '/api/auth/signup']) {
    const res = await app.inject({ method: 'POST', url, payload: { username: 'eve', password: PASSWORD } })
    t.ok([401, 404].includes(res.statusCode), `${url} → ${res.statusCode}`)
  }
  const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
  const posts = Object.entries(spec.paths).filter(([, ops]) => 'post' in ops).map(([p]) => p)
  t.notOk(posts.some((p) => /users|register|signup/.test(p)), 'no user-creating POST in the API')
})
