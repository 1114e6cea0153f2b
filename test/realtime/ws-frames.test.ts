import t from 'tap'
import { CLOSE, MAX_FRAME_BYTES } from '../../src/realtime/envelope.js'
import { aliceAndBob, build, storedMessageCount, userWithToken } from '../helper.js'
import { openSocket, type TestSocket } from '../fixtures/ws-client.js'

async function familyOf (socket: TestSocket & { ready: { data: Record<string, unknown> } }): Promise<string> {
  return (socket.ready.data.rooms as Array<{ id: string }>)[0]!.id
}

t.test('bad frames get error validation and the socket stays open', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  const roomId = await familyOf(socket)
  const raw: Array<[string, string | Buffer]> = [
    ['not JSON', '{"type": "ping"'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"ping"'],
    ['null', 'null'],
    ['no type', '{"data": {}}'],
    ['a numeric type', '{"type": 5}'],
    ['a numeric id', '{"type": "ping", "id": 5}'],
    ['data that is not an object', '{"type": "ping", "data": [1]}'],
    ['a binary frame', Buffer.from('{"type":"ping"}')]
  ]
  for (const [name, frame] of raw) {
    socket.send(frame)
    const error = await socket.next('error')
    t.equal(error.data.code, 'validation', name)
    t.type(error.data.message, 'string')
  }
  const invalid: Array<[string, string, object]> = [
    ['an unknown type', 'message.explode', {}],
    ['send without clientId', 'message.send', { roomId, body: 'hi' }],
    ['send with a numeric body', 'message.send', { roomId, body: 1, clientId: 'c' }],
    ['send with an empty body', 'message.send', { roomId, body: '  ', clientId: 'c' }],
    ['send with 4,001 characters', 'message.send', { roomId, body: 'x'.repeat(4001), clientId: 'c' }],
    ['send with a 65-character clientId', 'message.send', { roomId, body: 'hi', clientId: 'c'.repeat(65) }],
    ['send with an extra field', 'message.send', { roomId, body: 'hi', clientId: 'c', admin: true }],
    ['send with a NUL in the clientId', 'message.send', { roomId, body: 'hi', clientId: 'c\u0000' }],
    ['send with an unpaired surrogate in the clientId', 'message.send', { roomId, body: 'hi', clientId: '\udc00c' }],
    ['edit without a body', 'message.edit', { messageId: 'x' }],
    ['delete without an id', 'message.delete', {}],
    ['sync with a negative since', 'sync', { roomId, since: -1 }],
    ['sync with limit 101', 'sync', { roomId, since: 0, limit: 101 }],
    ['sync without since', 'sync', { roomId }],
    ['read with a string seq', 'read', { roomId, seq: '3' }],
    ['typing without a room', 'typing', {}],
    ['visibility without visible', 'visibility', {}],
    ['visibility with a string', 'visibility', { visible: 'no' }],
    ['ping with data', 'ping', { x: 1 }]
  ]
  for (const [name, type, data] of invalid) {
    const answer = await socket.request(type, data)
    t.equal(answer.type, 'error', name)
    t.equal(answer.data.code, 'validation', name)
  }
  t.equal((await socket.request('ping', {})).type, 'pong', 'still open')
  t.equal(await storedMessageCount(app), 0, 'nothing stored')
  await socket.close()
})

t.test('a send refused for its clientId takes nobody else\'s message down with it', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const a = await openSocket(app, alice.token)
  const b = await openSocket(app, bob.token)
  const roomId = await familyOf(a)
  // Sent in one turn, so that both would go to the database in one batch.
  const [refused, acked] = await Promise.all([
    a.request('message.send', { roomId, body: 'poison', clientId: 'p\u0000' }),
    b.request('message.send', { roomId, body: 'fine', clientId: 'ok' })
  ])
  t.match(refused, { type: 'error', data: { code: 'validation' } })
  t.match(acked, { type: 'ack', data: { message: { body: 'fine', seq: 1 } } })
  t.equal(await storedMessageCount(app), 1)
  await a.close()
  await b.close()
})

t.test('a frame over 64 KiB closes the socket with 1009', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  socket.send(JSON.stringify({ type: 'ping', data: {}, pad: 'x'.repeat(MAX_FRAME_BYTES) }))
  t.equal((await socket.closed).code, CLOSE.tooBig)
})

t.test('send, retry, edit and delete over the socket, with fan-out to every member socket', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const a1 = await openSocket(app, alice.token)
  const a2 = await openSocket(app, alice.token)
  const b = await openSocket(app, bob.token)
  const roomId = await familyOf(a1)

  const ack = await a1.request('message.send', { roomId, body: ' hello ', clientId: 'k1' })
  t.equal(ack.type, 'ack')
  const message = ack.data.message!
  t.match(message, { roomId, seq: 1, eventSeq: 1, body: 'hello', clientId: 'k1', senderId: alice.id })
  for (const socket of [a1, a2, b]) {
    t.same((await socket.next('message.new')).data.message, message, 'everyone, the sender included')
  }
  // The ack comes before the sender's own copy of the event.
  t.ok(a1.frames.findIndex((f) => f.type === 'ack') < a1.frames.findIndex((f) => f.type === 'message.new'))

  const retry = await a2.request('message.send', { roomId, body: 'hello again', clientId: 'k1' })
  t.same(retry.data.message, message, 'a repeated clientId acks the original')

  const edited = await a1.request('message.edit', { messageId: message.id, body: 'hello, family' })
  t.match(edited.data.message, { id: message.id, seq: 1, eventSeq: 2, body: 'hello, family' })
  t.same((await b.next('message.updated')).data.message, edited.data.message)

  const deleted = await a1.request('message.delete', { messageId: message.id })
  t.match(deleted.data.message, { id: message.id, eventSeq: 3, body: '' })
  t.same((await b.next('message.updated')).data.message, deleted.data.message)

  const forbidden = await b.request('message.edit', { messageId: message.id, body: 'not mine' })
  t.match(forbidden, { type: 'error', data: { code: 'forbidden' } })
  const tomb = await a1.request('message.edit', { messageId: message.id, body: 'back' })
  t.match(tomb, { type: 'error', data: { code: 'conflict' } })
  t.equal(await storedMessageCount(app), 1)
  t.equal(b.frames.filter((f) => f.type === 'message.new').length, 1, 'the retry was not broadcast')
  await Promise.all([a1.close(), a2.close(), b.close()])
})

t.test('a broadcast reaches every socket as a text frame with the exact UTF-8 of the message', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const sender = await openSocket(app, alice.token)
  const receivers = [await openSocket(app, bob.token), await openSocket(app, bob.token), await openSocket(app, alice.token)]
  const kinds: boolean[][] = receivers.map(() => [])
  receivers.forEach((socket, i) => socket.ws.on('message', (_raw, isBinary) => kinds[i]!.push(isBinary)))
  const roomId = await familyOf(sender)
  const body = 'Crème brûlée 🎂 для бабушки — 東京'
  const ack = await sender.request('message.send', { roomId, body, clientId: 'utf8-1' })
  t.equal(ack.type, 'ack')
  for (const [i, socket] of receivers.entries()) {
    const frame = await socket.next('message.new', (f) => f.data.message!.id === ack.data.message!.id)
    t.equal(frame.data.message!.body, body, `socket ${i} got the body unchanged`)
    t.notOk(kinds[i]!.includes(true), `socket ${i} got text frames only`)
  }
  await Promise.all([sender, ...receivers].map((s) => s.close()))
})

t.test('a message sent over HTTP fans out exactly like one sent over the socket', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const b = await openSocket(app, bob.token)
  const res = await app.inject({ method: 'POST', url: '/api/messages', headers: { authorization: `Bearer ${alice.token}` }, payload: { body: 'from the web' } })
  t.same((await b.next('message.new')).data.message, res.json().message)
  await b.close()
})

t.test('rooms are private: a non-member gets nothing and cannot act there', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const a = await openSocket(app, alice.token)
  const b = await openSocket(app, bob.token)
  const c = await openSocket(app, carol.token)
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: { authorization: `Bearer ${alice.token}` }, payload: { userId: bob.id } })).json().room
  // The new room's members' open sockets follow them into it.
  const secret = await a.request('message.send', { roomId: direct.id, body: 'just us', clientId: 's1' })
  t.equal(secret.type, 'ack')
  t.equal((await b.next('message.new')).data.message!.body, 'just us')
  for (const [type, data] of [
    ['message.send', { roomId: direct.id, body: 'let me in', clientId: 'c1' }],
    ['sync', { roomId: direct.id, since: 0 }],
    ['typing', { roomId: direct.id }],
    ['read', { roomId: direct.id, seq: 1 }],
    ['message.edit', { messageId: secret.data.message!.id, body: 'x' }],
    ['message.delete', { messageId: secret.data.message!.id }]
  ] as const) {
    const answer = await c.request(type, data)
    t.match(answer, { type: 'error', data: { code: 'not_found' } }, type)
  }
  // A Family message reaches carol; the direct one never did.
  await a.request('message.send', { roomId: await familyOf(a), body: 'for all', clientId: 'f1' })
  t.equal((await c.next('message.new')).data.message!.body, 'for all')
  t.notOk(c.frames.some((f) => JSON.stringify(f).includes('just us')), 'no frame of the direct room reached carol')
  await Promise.all([a.close(), b.close(), c.close()])
})

t.test('typing is relayed to others, never stored, never echoed, and throttled', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const a = await openSocket(app, alice.token)
  const a2 = await openSocket(app, alice.token)
  const b = await openSocket(app, bob.token)
  const roomId = await familyOf(a)
  a.send(JSON.stringify({ type: 'typing', data: { roomId } }))
  t.same((await b.next('typing')).data, { roomId, userId: alice.id })
  for (let i = 0; i < 5; i++) a.send(JSON.stringify({ type: 'typing', data: { roomId } }))
  // A ping after the burst: once it is answered, the burst has been handled.
  await a.request('ping', {})
  await b.request('ping', {})
  t.equal(b.frames.filter((f) => f.type === 'typing').length, 1, 'the burst was throttled')
  t.equal(a2.frames.filter((f) => f.type === 'typing').length, 0, 'not echoed to the sender\'s other sockets')
  t.equal(await storedMessageCount(app), 0)
  await Promise.all([a.close(), a2.close(), b.close()])
})

t.test('read markers: ack, then a read event to the room; HTTP does the same', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const a = await openSocket(app, alice.token)
  const b = await openSocket(app, bob.token)
  const roomId = await familyOf(a)
  await a.request('message.send', { roomId, body: 'one', clientId: '1' })
  await a.request('message.send', { roomId, body: 'two', clientId: '2' })
  const ack = await b.request('read', { roomId, seq: 2 })
  t.same(ack, { type: 'ack', id: ack.id, data: {} })
  t.same((await a.next('read')).data, { roomId, userId: bob.id, seq: 2 })
  t.equal((await b.request('read', { roomId, seq: 1 })).type, 'ack', 'a marker that does not move is still acked')
  await app.inject({ method: 'POST', url: `/api/rooms/${roomId}/read`, headers: { authorization: `Bearer ${alice.token}` }, payload: { seq: 2 } })
  t.same((await b.next('read', (f) => f.data.userId === alice.id)).data, { roomId, userId: alice.id, seq: 2 })
  await a.request('ping', {})
  t.equal(a.frames.filter((f) => f.type === 'read' && f.data.userId === bob.id).length, 1, 'no event when the marker did not move')
  await Promise.all([a.close(), b.close()])
})
