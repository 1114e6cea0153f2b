import t from 'tap'
import { listLiveSessions } from '../../db/queries/sessions.js'
import { bearer, build, createUser, login, PASSWORD, TEST_SECRET } from '../helper.js'
import { craftJwt, decodeJwt } from '../fixtures/jwt.js'

t.test('lists my sessions and marks the current one', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const phone = await login(app, 'alice', PASSWORD, 'Phone')
  await login(app, 'alice', PASSWORD, 'Laptop')
  const res = await app.inject({ url: '/api/auth/sessions', headers: bearer(phone) })
  t.equal(res.statusCode, 200)
  const { sessions } = res.json() as { sessions: Array<Record<string, unknown>> }
  t.equal(sessions.length, 2)
  for (const s of sessions) {
    t.same(Object.keys(s).sort(), ['createdAt', 'current', 'id', 'lastSeenAt', 'userAgent'])
    t.match(s.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  }
  t.same(sessions.filter((s) => s.current).map((s) => s.userAgent), ['Phone'])
  t.equal(sessions.find((s) => s.current)?.id, decodeJwt(phone).sid)
})

t.test('logout revokes only this device', async (t) => {
  const app = await build(t)
  const id = await createUser(app, 'alice')
  const phone = await login(app, 'alice')
  const laptop = await login(app, 'alice')
  const res = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(phone) })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(phone) })).statusCode, 401)
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(laptop) })).statusCode, 200)
  t.equal((await listLiveSessions(app.database.db, id)).length, 1)
})

t.test('revoking another session of mine logs that device out', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const phone = await login(app, 'alice')
  const lost = await login(app, 'alice')
  const sid = decodeJwt(lost).sid as string
  const res = await app.inject({ method: 'DELETE', url: `/api/auth/sessions/${sid}`, headers: bearer(phone) })
  t.equal(res.statusCode, 204)
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(lost) })).statusCode, 401)
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(phone) })).statusCode, 200)
})

t.test('someone else\'s, unknown or malformed session ids are 404 and revoke nothing', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const bobId = await createUser(app, 'bob')
  const alice = await login(app, 'alice')
  const bob = await login(app, 'bob')
  const bobSid = decodeJwt(bob).sid as string
  for (const id of [bobSid, '00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
    const res = await app.inject({ method: 'DELETE', url: `/api/auth/sessions/${encodeURIComponent(id)}`, headers: bearer(alice) })
    t.equal(res.statusCode, 404, id)
    t.match(res.json(), { statusCode: 404, code: 'not_found' })
  }
  t.equal((await listLiveSessions(app.database.db, bobId)).length, 1)
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(bob) })).statusCode, 200)
})

t.test('logout-all revokes every session of the user, and only theirs', async (t) => {
  const app = await build(t)
  const aliceId = await createUser(app, 'alice')
  await createUser(app, 'bob')
  const a1 = await login(app, 'alice')
  const a2 = await login(app, 'alice')
  const bob = await login(app, 'bob')
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: bearer(a1) })).statusCode, 204)
  for (const token of [a1, a2]) t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode, 401)
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(bob) })).statusCode, 200)
  t.same(await listLiveSessions(app.database.db, aliceId), [])
})

t.test('changing the password keeps this device, revokes the others, and the new password works', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const here = await login(app, 'alice')
  const other = await login(app, 'alice')
  const res = await app.inject({
    method: 'POST', url: '/api/auth/password', headers: bearer(here), payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' }
  })
  t.equal(res.statusCode, 200)
  const { token } = res.json() as { token: string }
  t.equal(decodeJwt(token).sid, decodeJwt(here).sid, 'same session, fresh token')
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(other) })).statusCode, 401)
  t.ok(await login(app, 'alice', 'a brand new secret'))
  const old = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: PASSWORD } })
  t.equal(old.statusCode, 401)
})

const badPasswordChanges: Array<[string, Record<string, unknown>, number, string]> = [
  ['a wrong current password', { currentPassword: 'not it at all', newPassword: 'a brand new secret' }, 401, 'invalid_credentials'],
  ['a new password of 7 characters', { currentPassword: PASSWORD, newPassword: '1234567' }, 400, 'validation'],
  ['a new password of 129 characters', { currentPassword: PASSWORD, newPassword: 'x'.repeat(129) }, 400, 'validation'],
  ['a missing new password', { currentPassword: PASSWORD }, 400, 'validation'],
  ['a numeric new password', { currentPassword: PASSWORD, newPassword: 123456789 }, 400, 'validation']
]
for (const [name, payload, status, code] of badPasswordChanges) {
  t.test(`a password change with ${name} is ${status} ${code} and changes nothing`, async (t) => {
    const app = await build(t)
    await createUser(app, 'alice')
    const here = await login(app, 'alice')
    const other = await login(app, 'alice')
    const res = await app.inject({ method: 'POST', url: '/api/auth/password', headers: bearer(here), payload })
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code })
    t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(other) })).statusCode, 200, 'other device still in')
    t.ok(await login(app, 'alice', PASSWORD), 'old password still works')
  })
}

t.test('every bad token is 401 unauthorized', async (t) => {
  const app = await build(t)
  const id = await createUser(app, 'alice')
  const good = await login(app, 'alice')
  const { sid } = decodeJwt(good)
  const now = Math.floor(Date.now() / 1000)
  const revoked = await login(app, 'alice')
  await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(revoked) })
  const cases: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a non-bearer scheme', { authorization: `Basic ${Buffer.from('alice:x').toString('base64')}` }],
    ['garbage', bearer('garbage')],
    ['a truncated token', bearer(good.slice(0, -5))],
    ['a wrong secret', bearer(craftJwt({ sub: id, sid, iat: now, exp: now + 60 }, 'another-secret-another-secret-12345'))],
    ['alg none', bearer(craftJwt({ sub: id, sid, iat: now, exp: now + 60 }, '', 'none'))],
    ['an expired token', bearer(craftJwt({ sub: id, sid, iat: now - 120, exp: now - 60 }, TEST_SECRET))],
    ['a token without a session', bearer(craftJwt({ sub: id, iat: now, exp: now + 60 }, TEST_SECRET))],
    ['a session of someone else', bearer(craftJwt({ sub: '00000000-0000-4000-8000-000000000000', sid, iat: now, exp: now + 60 }, TEST_SECRET))],
    ['a revoked session', bearer(revoked)]
  ]
  for (const [name, headers] of cases) {
    const res = await app.inject({ url: '/api/auth/me', headers })
    t.equal(res.statusCode, 401, name)
    t.match(res.json(), { statusCode: 401, code: 'unauthorized', error: 'Unauthorized' }, name)
  }
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(good) })).statusCode, 200)
})

t.test('a revocation in this process takes effect at once, even for a cached session', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const token = await login(app, 'alice')
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode, 200, 'cached now')
  const { sid, sub } = decodeJwt(token) as { sid: string, sub: string }
  await app.auth.sessions.revoke(sub, { only: sid })
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode, 401)
})

t.test('a token verified (and remembered) while valid is refused once it has expired', async (t) => {
  const app = await build(t)
  await createUser(app, 'alice')
  const token = await login(app, 'alice')
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(token) })).statusCode, 200, 'verified, and now in the verified-token cache')
  const later = Date.now() + 31 * 86_400_000
  t.capture(Date, 'now', () => later)
  const res = await app.inject({ url: '/api/auth/me', headers: bearer(token) })
  t.equal(res.statusCode, 401)
  t.match(res.json(), { statusCode: 401, code: 'unauthorized' })
})
