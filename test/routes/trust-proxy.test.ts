import t from 'tap'
import { build } from '../helper.js'
import { loadConfig, ConfigError } from '../../src/config.js'

type App = Awaited<ReturnType<typeof build>>
const failedLogin = (app: App, username: string, forwardedFor: string, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'x-forwarded-for': forwardedFor }, payload: { username, password: 'wrong password' } })

t.test('TRUST_PROXY: behind the proxy each client address has its own login limit', async (t) => {
  const app = await build(t, { RATE_LIMIT_LOGIN: '2/min', TRUST_PROXY: '127.0.0.1' })
  t.equal((await failedLogin(app, 'a1', '10.0.0.1')).statusCode, 401)
  t.equal((await failedLogin(app, 'a2', '10.0.0.1')).statusCode, 401)
  const third = await failedLogin(app, 'a3', '10.0.0.1')
  t.equal(third.statusCode, 429, 'the third from one client is limited')
  t.equal((await failedLogin(app, 'b1', '10.0.0.2')).statusCode, 401, 'another client behind the same proxy is not')
  // A header from an address that is not the proxy is not believed.
  t.equal((await failedLogin(app, 'c1', '10.0.0.3', '192.168.1.50')).statusCode, 401)
  t.equal((await failedLogin(app, 'c2', '10.0.0.4', '192.168.1.50')).statusCode, 401)
  t.equal((await failedLogin(app, 'c3', '10.0.0.5', '192.168.1.50')).statusCode, 429, 'a forged header buys no new budget')
})

t.test('without TRUST_PROXY, X-Forwarded-For is ignored', async (t) => {
  const app = await build(t, { RATE_LIMIT_LOGIN: '2/min' })
  t.equal((await failedLogin(app, 'a1', '10.0.0.1')).statusCode, 401)
  t.equal((await failedLogin(app, 'a2', '10.0.0.2')).statusCode, 401)
  t.equal((await failedLogin(app, 'a3', '10.0.0.3')).statusCode, 429)
})

t.test('TRUST_PROXY must be addresses or CIDR ranges', async (t) => {
  t.same(loadConfig({ DATA_DIR: t.testdir(), TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1'])
  for (const bad of ['nginx', '10.0.0.0/33', '127.0.0.1/8/2', '300.1.1.1']) {
    t.throws(() => loadConfig({ DATA_DIR: t.testdir(), TRUST_PROXY: bad }), ConfigError, bad)
  }
})
