import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { messages, roomMembers } from '../../db/schema/index.js'
import { aliceAndBob, bearer, userWithToken } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'

const send = async (app: FastifyInstance, token: string, body: string, roomId?: string) =>
  (await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body, ...(roomId === undefined ? {} : { roomId }) } })).json().message

const react = (app: FastifyInstance, token: string, id: string, payload: unknown) =>
  app.inject({ method: 'PUT', url: `/api/messages/${encodeURIComponent(id)}/reaction`, headers: bearer(token), payload: payload as Record<string, unknown> })

const unreact = (app: FastifyInstance, token: string, id: string) =>
  app.inject({ method: 'DELETE', url: `/api/messages/${encodeURIComponent(id)}/reaction`, headers: bearer(token) })

const latest = async (app: FastifyInstance, token: string, query = '') =>
  (await app.inject({ method: 'GET', url: `/api/messages${query}`, headers: bearer(token) })).json()

const stored = (app: FastifyInstance) => app.database.db.select().from(messages).orderBy(messages.seq)
const markers = (app: FastifyInstance) => app.database.db.select().from(roomMembers).orderBy(roomMembers.userId)

t.test('a reaction is a room event: the next seq, the message\'s eventSeq, no editedAt, one per member', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'dinner at 7?')
  t.same(m.reactions, {}, 'a new message has none')
  const first = await react(app, bob.token, m.id, { emoji: '👍' })
  t.equal(first.statusCode, 200)
  t.match(first.json().message, { id: m.id, seq: 1, eventSeq: 2, body: 'dinner at 7?', editedAt: null, reactions: { '👍': [bob.id] } })
  const second = (await react(app, alice.token, m.id, { emoji: '👍' })).json().message
  t.same(second.reactions, { '👍': [bob.id, alice.id] }, 'in the order they reacted')
  t.equal(second.eventSeq, 3)
  const replaced = (await react(app, bob.token, m.id, { emoji: '❤️' })).json().message
  t.same(replaced.reactions, { '👍': [alice.id], '❤️': [bob.id] }, 'a new one replaces mine')
  t.equal((await latest(app, bob.token)).lastSeq, 4)
})

t.test('the same emoji again answers 200 and makes no event; so does taking back none', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  const reacted = (await react(app, bob.token, m.id, { emoji: '😂' })).json().message
  const again = await react(app, bob.token, m.id, { emoji: '😂' })
  t.equal(again.statusCode, 200)
  t.same(again.json().message, reacted)
  const none = await unreact(app, alice.token, m.id)
  t.equal(none.statusCode, 200)
  t.same(none.json().message, reacted)
  t.equal((await latest(app, bob.token)).lastSeq, 2)
})

t.test('taking a reaction back is an event; the emoji goes when nobody holds it', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  await react(app, bob.token, m.id, { emoji: '🎉' })
  const res = await unreact(app, bob.token, m.id)
  t.equal(res.statusCode, 200)
  t.match(res.json().message, { eventSeq: 3, reactions: {} })
  t.same(Object.keys(res.json().message.reactions), [])
})

t.test('reactions are never unread and never move a read marker', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  await app.inject({ method: 'POST', url: '/api/rooms/' + m.roomId + '/read', headers: bearer(bob.token), payload: { seq: 1 } })
  const before = await markers(app)
  await react(app, alice.token, m.id, { emoji: '👍' })
  await react(app, bob.token, m.id, { emoji: '👍' })
  t.same(await markers(app), before, 'no marker moved')
  const rooms = (await app.inject({ method: 'GET', url: '/api/rooms', headers: bearer(bob.token) })).json().rooms
  t.match(rooms[0], { id: m.roomId, lastSeq: 3, unread: 0 })
})

t.test('deleting a message clears its reactions', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'oops')
  await react(app, bob.token, m.id, { emoji: '😮' })
  const tomb = (await app.inject({ method: 'DELETE', url: `/api/messages/${m.id}`, headers: bearer(alice.token) })).json().message
  t.same(tomb.reactions, {})
  const [row] = await stored(app)
  t.same(row!.reactions, {})
})

t.test('the change feed (since) carries reactions, after a reconnect too', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  const socket = await openSocket(app, bob.token)
  const seen = (socket.ready.data.rooms as Array<{ lastSeq: number }>)[0]!.lastSeq
  await socket.close()
  await react(app, alice.token, m.id, { emoji: '❤️' })
  const again = await openSocket(app, bob.token)
  const feed = await again.request('sync', { roomId: m.roomId, since: seen })
  t.equal(feed.type, 'messages')
  t.match(feed.data, { lastSeq: 2, messages: [{ id: m.id, eventSeq: 2, reactions: { '❤️': [alice.id] } }] })
  const http = await latest(app, bob.token, `?roomId=${m.roomId}&since=${seen}`)
  t.match(http.messages, [{ id: m.id, eventSeq: 2, reactions: { '❤️': [alice.id] } }])
  await again.close()
})

t.test('the latest page (served from memory) shows every reaction change at once', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  t.same((await latest(app, bob.token)).messages[0].reactions, {}, 'read once, so the room is cached')
  await react(app, bob.token, m.id, { emoji: '👍' })
  t.same((await latest(app, bob.token)).messages[0].reactions, { '👍': [bob.id] })
  await react(app, alice.token, m.id, { emoji: '🙏' })
  t.same((await latest(app, alice.token)).messages[0].reactions, { '👍': [bob.id], '🙏': [alice.id] })
  await unreact(app, bob.token, m.id)
  const page = await latest(app, bob.token)
  t.same(page.messages[0].reactions, { '🙏': [alice.id] })
  t.equal(page.lastSeq, 4)
})

t.test('over WebSocket: message.react answers an ack, and every member gets message.updated', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  const aliceSocket = await openSocket(app, alice.token)
  const bobSocket = await openSocket(app, bob.token)
  const ack = await bobSocket.request('message.react', { messageId: m.id, emoji: '👍🏽' })
  t.equal(ack.type, 'ack')
  t.match(ack.data.message, { id: m.id, eventSeq: 2, reactions: { '👍🏽': [bob.id] } })
  const updated = await aliceSocket.next('message.updated')
  t.match(updated.data.message, { id: m.id, eventSeq: 2, reactions: { '👍🏽': [bob.id] } })
  const back = await bobSocket.request('message.react', { messageId: m.id, emoji: null })
  t.match(back.data.message, { eventSeq: 3, reactions: {} })
  t.match((await aliceSocket.next('message.updated')).data.message, { eventSeq: 3 })
  t.equal(aliceSocket.frames.filter((f) => f.type === 'message.new').length, 0, 'never announced as a new message')
  await Promise.all([aliceSocket.close(), bobSocket.close()])
})

const badEmoji: Array<[string, unknown]> = [
  ['text', 'ok'],
  ['a digit', '1'],
  ['two emoji', '👍👍'],
  ['an emoji and a space', '👍 '],
  ['an empty string', ''],
  ['over 32 bytes', '👨‍👩‍👧‍👦👨‍👩‍👧‍👦'],
  ['a number', 7],
  ['null', null]
]
for (const [name, emoji] of badEmoji) {
  t.test(`reacting with ${name} is 400 validation and stores nothing`, async (t) => {
    const { app, alice, bob } = await aliceAndBob(t)
    const m = await send(app, alice.token, 'hi')
    const before = await stored(app)
    const res = await react(app, bob.token, m.id, { emoji })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { statusCode: 400, code: 'validation' })
    t.same(await stored(app), before)
  })
}

t.test('a bad emoji over WebSocket is a validation error and stores nothing', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  const socket = await openSocket(app, bob.token)
  const before = await stored(app)
  for (const emoji of ['ok', '👍👍', 5, undefined]) {
    const res = await socket.request('message.react', { messageId: m.id, ...(emoji === undefined ? {} : { emoji }) })
    t.match(res, { type: 'error', data: { code: 'validation' } }, JSON.stringify(emoji))
  }
  t.same(await stored(app), before)
  await socket.close()
})

const refusals: Array<[string, number, string, 'put' | 'delete']> = [
  ['reacting to a deleted message', 409, 'conflict', 'put'],
  ['reacting to a message in a room I am not in', 404, 'not_found', 'put'],
  ['taking back from a message in a room I am not in', 404, 'not_found', 'delete'],
  ['reacting to an unknown id', 404, 'not_found', 'put'],
  ['reacting to a malformed id', 404, 'not_found', 'put']
]
for (const [name, status, code, method] of refusals) {
  t.test(`${name} is ${status} ${code} and changes nothing`, async (t) => {
    const { app, alice, bob } = await aliceAndBob(t)
    const carol = await userWithToken(app, 'carol')
    const gone = await send(app, alice.token, 'gone')
    await app.inject({ method: 'DELETE', url: `/api/messages/${gone.id}`, headers: bearer(alice.token) })
    const room = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: carol.id } })).json().room
    const secret = await send(app, bob.token, 'secret', room.id)
    await react(app, carol.token, secret.id, { emoji: '👍' })
    const target: Record<string, string> = {
      'reacting to a deleted message': gone.id,
      'reacting to a message in a room I am not in': secret.id,
      'taking back from a message in a room I am not in': secret.id,
      'reacting to an unknown id': '00000000-0000-4000-8000-000000000000',
      'reacting to a malformed id': '../../etc/passwd'
    }
    const before = await stored(app)
    const res = method === 'put' ? await react(app, alice.token, target[name]!, { emoji: '👍' }) : await unreact(app, alice.token, target[name]!)
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code })
    t.same(await stored(app), before)
  })
}

t.test('changes sent without waiting apply in the order sent: the last tap wins', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const m = await send(app, alice.token, 'hi')
  const socket = await openSocket(app, bob.token)
  const EMOJI = ['👍', '🍕', '❤️', '😂', '🎉', '🙏', '😮', '👏']
  const acks = await Promise.all(EMOJI.map((emoji) => socket.request('message.react', { messageId: m.id, emoji })))
  t.same(acks.map((a) => a.data.message!.eventSeq), EMOJI.map((_, i) => i + 2), 'committed in the order sent')
  t.same((await latest(app, bob.token)).messages[0].reactions, { '👏': [bob.id] })
  const mine = await openSocket(app, alice.token)
  const edits = await Promise.all(['one', 'two', 'three'].map((body) => mine.request('message.edit', { messageId: m.id, body })))
  t.same(edits.map((a) => a.data.message!.body), ['one', 'two', 'three'])
  t.equal((await latest(app, alice.token)).messages[0].body, 'three')
  await Promise.all([socket.close(), mine.close()])
})
