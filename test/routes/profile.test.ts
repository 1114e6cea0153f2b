import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { users } from '../../db/schema/index.js'
import { aliceAndBob, bearer, login } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'

const rename = (app: FastifyInstance, token: string, payload: unknown) =>
  app.inject({ method: 'PATCH', url: '/api/users/me', headers: bearer(token), payload: payload as Record<string, unknown> })
const names = (app: FastifyInstance) => app.database.db.select({ id: users.id, displayName: users.displayName }).from(users).orderBy(users.username)

t.test('a new display name, trimmed, everywhere the family sees me', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const res = await rename(app, alice.token, { displayName: '  Grandma Alice 👵  ' })
  t.equal(res.statusCode, 200)
  t.match(res.json().user, { id: alice.id, username: 'alice', displayName: 'Grandma Alice 👵' })
  const family = (await app.inject({ url: '/api/users', headers: bearer(bob.token) })).json().users
  t.match(family.find((u: { id: string }) => u.id === alice.id), { displayName: 'Grandma Alice 👵' })
  t.match((await app.inject({ url: '/api/auth/me', headers: bearer(alice.token) })).json().user, { displayName: 'Grandma Alice 👵' })
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: alice.id } })).json().room
  t.equal(direct.name, 'Grandma Alice 👵', 'a direct room is named after the other member')
  t.ok(await login(app, 'alice'), 'the username is unchanged')
})

t.test('everyone sharing a room with me, and my other devices, get user.updated', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const aliceElsewhere = await openSocket(app, alice.token)
  const bobSocket = await openSocket(app, bob.token)
  const { user } = (await rename(app, alice.token, { displayName: 'Al' })).json()
  t.same((await bobSocket.next('user.updated')).data.user, user)
  t.same((await aliceElsewhere.next('user.updated')).data.user, user)
  await Promise.all([aliceElsewhere.close(), bobSocket.close()])
})

t.test('64 code points is the most, emoji counting as one each', async (t) => {
  const { app, alice } = await aliceAndBob(t)
  t.equal((await rename(app, alice.token, { displayName: '👍'.repeat(64) })).statusCode, 200)
})

const bad: Array<[string, unknown]> = [
  ['an empty name', { displayName: '' }],
  ['a blank name', { displayName: '   ' }],
  ['only control characters', { displayName: '\u0000\u0007' }],
  ['65 code points', { displayName: 'a'.repeat(65) }],
  ['a number', { displayName: 7 }],
  ['no displayName', {}]
]
for (const [name, payload] of bad) {
  t.test(`renaming with ${name} is 400 validation and changes nothing`, async (t) => {
    const { app, alice, bob } = await aliceAndBob(t)
    const socket = await openSocket(app, bob.token)
    const before = await names(app)
    const res = await rename(app, alice.token, payload)
    t.equal(res.statusCode, 400)
    t.match(res.json(), { statusCode: 400, code: 'validation' })
    t.same(await names(app), before)
    t.equal((await socket.request('ping', {})).type, 'pong')
    t.equal(socket.frames.filter((f) => f.type === 'user.updated').length, 0, 'nobody was told of anything')
    await socket.close()
  })
}

t.test('other fields are ignored: the username never changes', async (t) => {
  const { app, alice } = await aliceAndBob(t)
  const res = await rename(app, alice.token, { displayName: 'Ally', username: 'root' })
  t.match(res.json().user, { username: 'alice', displayName: 'Ally' })
})

t.test('renaming needs a token', async (t) => {
  const { app } = await aliceAndBob(t)
  const res = await app.inject({ method: 'PATCH', url: '/api/users/me', payload: { displayName: 'x' } })
  t.equal(res.statusCode, 401)
})
