import t from 'tap'
import { eq } from 'drizzle-orm'
import { messages } from '../../db/schema/index.js'
import { aliceAndBob, bearer, build, storedMessageCount, userWithToken } from '../helper.js'
import type { FastifyInstance } from 'fastify'

const send = (app: FastifyInstance, token: string, payload: unknown) =>
  app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: payload as Record<string, unknown> })

t.test('sends to Family by default and answers the stored message', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const res = await send(app, alice.token, { body: 'Hello family 👋', clientId: 'c1' })
  t.equal(res.statusCode, 201)
  const { message } = res.json()
  t.same(Object.keys(message).sort(), ['body', 'clientId', 'createdAt', 'deletedAt', 'editedAt', 'eventSeq', 'id', 'image', 'reactions', 'replyTo', 'roomId', 'senderId', 'seq'])
  t.match(message, { seq: 1, eventSeq: 1, senderId: alice.id, clientId: 'c1', body: 'Hello family 👋', image: null, editedAt: null, deletedAt: null, reactions: {}, replyTo: null })
  t.match(message.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  const rooms = (await app.inject({ url: '/api/rooms', headers: bearer(alice.token) })).json().rooms
  t.equal(message.roomId, rooms[0].id)
  t.equal(rooms[0].name, 'Family')
  t.equal(rooms[0].lastSeq, 1)
})

t.test('a repeated clientId answers 200 with the original and stores nothing', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const first = await send(app, alice.token, { body: 'only once', clientId: 'retry-me' })
  const again = await send(app, alice.token, { body: 'only once (retried)', clientId: 'retry-me' })
  t.equal(first.statusCode, 201)
  t.equal(again.statusCode, 200)
  t.same(again.json(), first.json())
  t.equal(await storedMessageCount(app), 1)
  // Another sender may use the same clientId: ids are per sender.
  const bob = await userWithToken(app, 'bob')
  t.equal((await send(app, bob.token, { body: 'mine', clientId: 'retry-me' })).statusCode, 201)
  t.equal(await storedMessageCount(app), 2)
})

t.test('concurrent retries of one clientId store exactly one message', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const results = await Promise.all(Array.from({ length: 20 }, () => send(app, alice.token, { body: 'race', clientId: 'same' })))
  t.same(results.map((r) => r.statusCode).sort(), [...Array(19).fill(200), 201].sort())
  t.equal(new Set(results.map((r) => r.json().message.id)).size, 1)
  t.equal(await storedMessageCount(app), 1)
})

t.test('bodies are sanitised exactly as the contract says and otherwise kept byte for byte', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const cases: Array<[string, string]> = [
    ['  padded\t\n', 'padded'],
    ['nul\u0000in\u0001the\u001fmiddle', 'nulinthemiddle'],
    ['keeps\ttabs\r\nand newlines', 'keeps\ttabs\r\nand newlines'],
    ["'; DROP TABLE messages; --", "'; DROP TABLE messages; --"],
    ['<img src=x onerror=alert(1)>&amp;', '<img src=x onerror=alert(1)>&amp;'],
    ['👩🏽‍👩🏻‍👧🏿‍👦 👍🏾 🏳️‍🌈', '👩🏽‍👩🏻‍👧🏿‍👦 👍🏾 🏳️‍🌈'],
    ['مرحبا بالعائلة \u202Eabc', 'مرحبا بالعائلة \u202Eabc'],
    ['\u0000\u0000  x  \u0007', 'x'],
    ['𝄞'.repeat(4000), '𝄞'.repeat(4000)]
  ]
  for (const [input, stored] of cases) {
    const res = await send(app, alice.token, { body: input })
    t.equal(res.statusCode, 201, JSON.stringify(input).slice(0, 40))
    t.equal(res.json().message.body, stored)
    const page = (await app.inject({ url: `/api/messages?since=${res.json().message.seq - 1}&limit=1`, headers: bearer(alice.token) })).json()
    t.equal(page.messages[0].body, stored, 'read back identically')
  }
})

const badSends: Array<[string, unknown, number, string]> = [
  ['an empty body', { body: '' }, 400, 'validation'],
  ['a whitespace-only body', { body: ' \n\t ' }, 400, 'validation'],
  ['a body of only control characters', { body: '\u0000\u0001' }, 400, 'validation'],
  ['4,001 characters', { body: 'a'.repeat(4001) }, 400, 'validation'],
  ['4,001 emoji', { body: '😀'.repeat(4001) }, 400, 'validation'],
  ['a missing body', { clientId: 'x' }, 400, 'validation'],
  ['a numeric body', { body: 42 }, 400, 'validation'],
  ['an empty clientId', { body: 'hi', clientId: '' }, 400, 'validation'],
  ['a 65-character clientId', { body: 'hi', clientId: 'c'.repeat(65) }, 400, 'validation'],
  // Kept as sent, so refused rather than changed: PostgreSQL stores neither.
  ['a NUL in the clientId', { body: 'hi', clientId: 'c\u0000' }, 400, 'validation'],
  ['an unpaired surrogate in the clientId', { body: 'hi', clientId: 'c\ud800' }, 400, 'validation'],
  ['an unknown room', { body: 'hi', roomId: '00000000-0000-4000-8000-000000000000' }, 404, 'not_found'],
  ['a malformed room id', { body: 'hi', roomId: "x' or 1=1 --" }, 404, 'not_found']
]
for (const [name, payload, status, code] of badSends) {
  t.test(`sending ${name} is ${status} ${code} and stores nothing`, async (t) => {
    const app = await build(t)
    const alice = await userWithToken(app, 'alice')
    const res = await send(app, alice.token, payload)
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code, message: String })
    t.equal(await storedMessageCount(app), 0)
    const rooms = (await app.inject({ url: '/api/rooms', headers: bearer(alice.token) })).json().rooms
    t.equal(rooms[0].lastSeq, 0, 'no event taken')
  })
}

t.test('a 4,000-character body after trimming is accepted', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const res = await send(app, alice.token, { body: `   ${'a'.repeat(4000)}   ` })
  t.equal(res.statusCode, 201)
  t.equal(res.json().message.body.length, 4000)
})

t.test('a room I am not in is 404, like a missing one, and gets nothing', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room
  const res = await send(app, carol.token, { roomId: direct.id, body: 'let me in' })
  const missing = await send(app, carol.token, { roomId: '00000000-0000-4000-8000-000000000000', body: 'let me in' })
  t.equal(res.statusCode, 404)
  t.same(res.json(), missing.json(), 'indistinguishable from a missing room')
  const stored = await app.database.db.select().from(messages).where(eq(messages.roomId, direct.id))
  t.same(stored, [])
})
