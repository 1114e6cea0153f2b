import t from 'tap'
import { bearer, build, PASSWORD, userWithToken } from '../helper.js'

t.test('wrong current passwords count against the member\'s login limit: a stolen token cannot guess forever', async (t) => {
  const app = await build(t, { RATE_LIMIT_LOGIN: '3/min' })
  const alice = await userWithToken(app, 'alice') // one login: 1 of 3
  const change = (currentPassword: string) => app.inject({
    method: 'POST', url: '/api/auth/password', headers: bearer(alice.token), payload: { currentPassword, newPassword: 'a brand new password' }
  })
  const first = await change('guess one')
  t.equal(first.statusCode, 401)
  t.equal(first.json().code, 'invalid_credentials')
  t.equal((await change('guess two')).statusCode, 401)

  const limited = await change('guess three')
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'rate_limited')
  t.match(limited.headers['retry-after'], /^\d+$/)
  const right = await change(PASSWORD)
  t.equal(right.statusCode, 429, 'even the right password waits: the guesses are over')

  const relogin = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: PASSWORD } })
  t.equal(relogin.statusCode, 429, 'the same budget as logging in')
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(alice.token) })).statusCode, 200, 'the session itself is untouched')

  // The third login from this address (the per-address limit is 3 too): another member is not affected.
  t.ok((await userWithToken(app, 'bob')).token, 'another member logs in')
})
