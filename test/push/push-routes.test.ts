import t from 'tap'
import { pushKeys } from '../../db/schema/index.js'
import { adminCommands } from '../../src/admin/commands.js'
import { aliceAndBob, bearer, login, PASSWORD } from '../helper.js'
import { pushFamily, subscribe, subscribedDevice, subscriptionCount } from './push-fixture.js'

const validDevice = (endpoint: string) => ({
  subscription: { endpoint, keys: { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: Buffer.alloc(16, 1).toString('base64url') } }
})

t.test('with PUSH_CONTACT unset push is off: the config says so and registering is 409', async (t) => {
  const { app, alice } = await aliceAndBob(t)
  const config = await app.inject({ url: '/api/push/config', headers: bearer(alice.token) })
  t.equal(config.statusCode, 200)
  t.same(config.json(), { enabled: false, publicKey: null })
  const res = await subscribe(app, alice.token, validDevice('https://fcm.googleapis.com/fcm/send/abc'))
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'conflict')
  for (const [method, url] of [['DELETE', '/api/push/subscription'], ['POST', '/api/push/test']] as const) {
    const other = await app.inject({ method, url, headers: bearer(alice.token) })
    t.equal(other.statusCode, 409, `${method} ${url}`)
  }
  t.equal((await app.inject({ url: '/api/push/config' })).statusCode, 401, 'members only')
})

t.test('the VAPID key pair is made once and kept in the database', async (t) => {
  const { app, users } = await pushFamily(t, ['alice'])
  const config = (await app.inject({ url: '/api/push/config', headers: bearer(users.alice!.token) })).json()
  t.equal(config.enabled, true)
  t.equal(Buffer.from(config.publicKey, 'base64url').length, 65, 'an uncompressed P-256 point')
  const stored = await app.database.db.select().from(pushKeys)
  t.equal(stored.length, 1)
  t.equal(stored[0]!.publicKey, config.publicKey, 'every instance reads the same key from the database')
})

t.test('a subscription the contract does not allow is 400 validation and nothing is stored', async (t) => {
  const family = await pushFamily(t, ['alice'])
  const { app, fake } = family
  const token = family.users.alice!.token
  const good = fake.device('alice').subscription
  const cases: Array<[string, unknown]> = [
    ['an http: endpoint on a host that is not loopback', { ...good, endpoint: 'http://fcm.googleapis.com/fcm/send/x' }],
    ['an https: endpoint on a host not allowed', { ...good, endpoint: 'https://169.254.169.254/latest/meta-data' }],
    ['a look-alike of an allowed host', { ...good, endpoint: 'https://127.0.0.1.evil.example/push' }],
    ['http: to a loopback host that is not listed', { ...good, endpoint: 'http://localhost:9/push' }],
    ['not a URL', { ...good, endpoint: 'push me' }],
    ['a URL with credentials', { ...good, endpoint: good.endpoint.replace('http://', 'http://user:pw@') }],
    ['a p256dh that is not 65 bytes', { ...good, keys: { ...good.keys, p256dh: Buffer.alloc(33, 2).toString('base64url') } }],
    ['an auth that is not 16 bytes', { ...good, keys: { ...good.keys, auth: Buffer.alloc(8, 1).toString('base64url') } }],
    ['a key that is not base64url', { ...good, keys: { ...good.keys, auth: 'not/base64+url' } }],
    ['no keys', { endpoint: good.endpoint }],
    ['an unknown preview', { ...good, preview: 'everything' }],
    ['an endpoint that is not a string', { ...good, endpoint: 42 }],
    // A browser sends a serialized URL, always ASCII; PostgreSQL cannot store a NUL at all.
    ['a NUL in the endpoint', { ...good, endpoint: `${good.endpoint}\u0000` }],
    ['a NUL in the query', { ...good, endpoint: `${good.endpoint}?\u0000=1` }],
    ['an unpaired surrogate', { ...good, endpoint: `${good.endpoint}\ud800` }],
    ['a space', { ...good, endpoint: `${good.endpoint} x` }]
  ]
  for (const [what, payload] of cases) {
    const res = await subscribe(app, token, { subscription: payload as object })
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'validation', what)
  }
  t.equal(await subscriptionCount(app), 0, 'nothing stored')
  t.equal((await subscribe(app, token, { subscription: good })).statusCode, 204, 'the fake service\'s own subscription is fine')
  t.equal(await subscriptionCount(app), 1)
})

t.test('one subscription per session; the same endpoint moves to the session that registers it last', async (t) => {
  const family = await pushFamily(t, ['alice'])
  const { app } = family
  const phone = family.fake.device('alice')
  const first = family.users.alice!.token
  const second = await login(app, 'alice', PASSWORD, 'second browser')
  t.equal((await subscribe(app, first, phone)).statusCode, 204)
  t.equal((await subscribe(app, first, phone, 'none')).statusCode, 204, 'registering again is fine (every start does)')
  t.equal(await subscriptionCount(app), 1)
  t.equal((await subscribe(app, second, phone)).statusCode, 204)
  t.equal(await subscriptionCount(app), 1, 'moved, not copied')
  t.equal((await app.inject({ method: 'POST', url: '/api/push/test', headers: bearer(first) })).statusCode, 404, 'the first session has none now')
  t.equal((await app.inject({ method: 'POST', url: '/api/push/test', headers: bearer(second) })).statusCode, 202)
  await family.fake.waitFor('alice')
  t.equal((await app.inject({ method: 'DELETE', url: '/api/push/subscription', headers: bearer(second) })).statusCode, 204)
  t.equal(await subscriptionCount(app), 0)
  t.equal((await app.inject({ method: 'DELETE', url: '/api/push/subscription', headers: bearer(second) })).statusCode, 204, 'deleting twice is fine')
})

t.test('a test push reaches the device, decrypted, with the contract\'s shape', async (t) => {
  const family = await pushFamily(t, ['alice'])
  await subscribedDevice(family, 'alice')
  const res = await family.app.inject({ method: 'POST', url: '/api/push/test', headers: bearer(family.users.alice!.token) })
  t.equal(res.statusCode, 202)
  const [push] = await family.fake.waitFor('alice')
  t.match(push!.payload, { v: 1, title: 'Family Chat', unread: 0 })
  t.equal(push!.headers.ttl, '43200')
  t.same(family.fake.rejected, [])
})

t.test('ending a session deletes its subscription: logout, revoking, logout-all, a password change, disable-user', async (t) => {
  const family = await pushFamily(t, ['alice'])
  const { app } = family
  const sessionsOf = async (token: string) => (await app.inject({ url: '/api/auth/sessions', headers: bearer(token) })).json().sessions as Array<{ id: string, current: boolean }>
  const endings: Array<[string, (token: string, other: string) => Promise<unknown>]> = [
    ['logout', (token) => app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })],
    ['revoking the session from another', async (token, other) => {
      const [mine] = (await sessionsOf(token)).filter((s) => s.current)
      return await app.inject({ method: 'DELETE', url: `/api/auth/sessions/${mine!.id}`, headers: bearer(other) })
    }],
    ['logout-all from another session', (_token, other) => app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: bearer(other) })],
    ['a password change in another session', (_token, other) => app.inject({
      method: 'POST', url: '/api/auth/password', headers: bearer(other), payload: { currentPassword: PASSWORD, newPassword: PASSWORD }
    })],
    ['bin/disable-user', async () => {
      await adminCommands['disable-user']({ db: app.database.db, onRevoked: () => {} }, { username: 'alice' })
      await adminCommands['disable-user']({ db: app.database.db, onRevoked: () => {} }, { username: 'alice', enable: 'true' })
    }]
  ]
  for (const [what, end] of endings) {
    const token = await login(app, 'alice')
    const other = await login(app, 'alice', PASSWORD, 'another device')
    t.equal((await subscribe(app, token, family.fake.device(what))).statusCode, 204)
    t.equal(await subscriptionCount(app), 1, `${what}: registered`)
    await end(token, other)
    t.equal(await subscriptionCount(app), 0, `${what}: the subscription is gone`)
  }
})
