import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { messages } from '../../db/schema/index.js'
import { aliceAndBob, bearer, build, userWithToken } from '../helper.js'

const send = async (app: FastifyInstance, token: string, body: string) =>
  (await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body } })).json().message

const edit = (app: FastifyInstance, token: string, id: string, body: unknown) =>
  app.inject({ method: 'PATCH', url: `/api/messages/${encodeURIComponent(id)}`, headers: bearer(token), payload: { body } as Record<string, unknown> })

const remove = (app: FastifyInstance, token: string, id: string) =>
  app.inject({ method: 'DELETE', url: `/api/messages/${encodeURIComponent(id)}`, headers: bearer(token) })

const snapshot = (app: FastifyInstance) => app.database.db.select().from(messages).orderBy(messages.seq)

t.test('editing my message takes the next event and keeps its seq', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const m = await send(app, alice.token, 'helo')
  await send(app, alice.token, 'second')
  const res = await edit(app, alice.token, m.id, '  hello  ')
  t.equal(res.statusCode, 200)
  const edited = res.json().message
  t.match(edited, { id: m.id, seq: 1, eventSeq: 3, body: 'hello', createdAt: m.createdAt, deletedAt: null })
  t.match(edited.editedAt, /Z$/)
  const unchanged = await edit(app, alice.token, m.id, 'hello')
  t.equal(unchanged.statusCode, 200)
  t.equal(unchanged.json().message.eventSeq, 3, 'an identical edit is not a new event')
})

t.test('deleting my message leaves a tombstone; deleting again is a safe retry', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const m = await send(app, alice.token, 'oops')
  const res = await remove(app, alice.token, m.id)
  t.equal(res.statusCode, 200)
  const tomb = res.json().message
  t.match(tomb, { id: m.id, seq: 1, eventSeq: 2, body: '', image: null })
  t.match(tomb.deletedAt, /Z$/)
  const again = await remove(app, alice.token, m.id)
  t.equal(again.statusCode, 200)
  t.same(again.json().message, tomb, 'no new event')
})

const refusals: Array<[string, number, string]> = [
  ['someone else\'s message', 403, 'forbidden'],
  ['a deleted message', 409, 'conflict'],
  ['an unknown id', 404, 'not_found'],
  ['a malformed id', 404, 'not_found'],
  ['a message in a room I am not in', 404, 'not_found'],
  ['with an empty body', 400, 'validation'],
  ['with an oversized body', 400, 'validation'],
  ['with a numeric body', 400, 'validation']
]
for (const [name, status, code] of refusals) {
  t.test(`editing ${name} is ${status} ${code} and changes nothing`, async (t) => {
    const { app, alice, bob } = await aliceAndBob(t)
    const carol = await userWithToken(app, 'carol')
    const mine = await send(app, alice.token, 'mine')
    const bobs = await send(app, bob.token, 'bob\'s')
    const gone = await send(app, alice.token, 'gone')
    await remove(app, alice.token, gone.id)
    const room = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: carol.id } })).json().room
    const secret = (await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(bob.token), payload: { roomId: room.id, body: 'secret' } })).json().message
    const before = await snapshot(app)
    const target: Record<string, [string, unknown]> = {
      'someone else\'s message': [bobs.id, 'hijacked'],
      'a deleted message': [gone.id, 'resurrected'],
      'an unknown id': ['00000000-0000-4000-8000-000000000000', 'x'],
      'a malformed id': ['../../etc/passwd', 'x'],
      'a message in a room I am not in': [secret.id, 'x'],
      'with an empty body': [mine.id, '   '],
      'with an oversized body': [mine.id, 'x'.repeat(4001)],
      'with a numeric body': [mine.id, 7]
    }
    const [id, body] = target[name]!
    const res = await edit(app, alice.token, id, body)
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code })
    t.same(await snapshot(app), before)
  })
}

t.test('deleting someone else\'s or an invisible message is refused and changes nothing', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const bobs = await send(app, bob.token, 'bob\'s')
  const room = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: carol.id } })).json().room
  const secret = (await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(bob.token), payload: { roomId: room.id, body: 'secret' } })).json().message
  const before = await snapshot(app)
  const forbidden = await remove(app, alice.token, bobs.id)
  t.equal(forbidden.statusCode, 403)
  t.match(forbidden.json(), { code: 'forbidden' })
  const hidden = await remove(app, alice.token, secret.id)
  t.equal(hidden.statusCode, 404)
  t.match(hidden.json(), { code: 'not_found' })
  t.same(await snapshot(app), before)
})
