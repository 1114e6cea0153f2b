import t from 'tap'
import { CLOSE } from '../../src/realtime/envelope.js'
import { aliceAndBob, bearer, build, userWithToken } from '../helper.js'
import { openSocket, type Frame } from '../fixtures/ws-client.js'

const eventSeqs = (frames: Frame[], roomId: string) => frames
  .filter((f) => (f.type === 'message.new' || f.type === 'message.updated') && f.data.message!.roomId === roomId)
  .map((f) => f.data.message!.eventSeq as number)

t.test('three concurrent senders: every socket sees the room\'s events in eventSeq order, none missing', async (t) => {
  const app = await build(t)
  const users = await Promise.all(['alice', 'bob', 'carol'].map((u) => userWithToken(app, u)))
  const sockets = await Promise.all(users.map((u) => openSocket(app, u.token)))
  const listener = await openSocket(app, users[0]!.token)
  const roomId = (sockets[0]!.ready.data.rooms as Array<{ id: string }>)[0]!.id
  const PER_SENDER = 60
  const acks = await Promise.all(sockets.map((socket, s) => Promise.all(Array.from({ length: PER_SENDER }, (_, i) =>
    socket.request('message.send', { roomId, body: `sender ${s} message ${i}`, clientId: `${s}-${i}` })))))
  const total = PER_SENDER * sockets.length
  t.ok(acks.flat().every((a) => a.type === 'ack'), 'all acked')
  // Each sender's own messages keep the order it sent them in.
  for (const [s, list] of acks.entries()) {
    const seqs = list.map((a) => a.data.message!.seq as number)
    t.same(seqs, [...seqs].sort((a, b) => a - b), `sender ${s} in order`)
  }
  for (const socket of [...sockets, listener]) {
    await socket.next('message.new', (f) => f.data.message!.eventSeq === total)
    t.same(eventSeqs(socket.frames, roomId), Array.from({ length: total }, (_, i) => i + 1))
  }
  await Promise.all([...sockets, listener].map((s) => s.close()))
})

t.test('catch-up: a client that was away gets exactly what it missed from sync, in order', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const a = await openSocket(app, alice.token)
  const roomId = (a.ready.data.rooms as Array<{ id: string }>)[0]!.id
  let b = await openSocket(app, bob.token)
  const first = await a.request('message.send', { roomId, body: 'before', clientId: 'b1' })
  const second = await a.request('message.send', { roomId, body: 'will be edited', clientId: 'b2' })
  const third = await a.request('message.send', { roomId, body: 'will be deleted', clientId: 'b3' })
  await b.next('message.new', (f) => f.data.message!.eventSeq === 3)
  const applied = Math.max(...eventSeqs(b.frames, roomId))
  await b.close()

  // While bob is away: new messages, an edit and a deletion.
  await a.request('message.send', { roomId, body: 'while away 1', clientId: 'w1' })
  await a.request('message.edit', { messageId: second.data.message!.id, body: 'edited while away' })
  await a.request('message.delete', { messageId: third.data.message!.id })
  await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { body: 'while away 2' } })

  b = await openSocket(app, bob.token)
  const room = (b.ready.data.rooms as Array<{ id: string, lastSeq: number }>)[0]!
  t.equal(room.lastSeq, 7, 'ready tells how far the room is')
  const missed: Frame[] = []
  let since = applied
  for (;;) {
    const page = await b.request('sync', { roomId, since, limit: 2 })
    t.equal(page.type, 'messages')
    t.equal(page.data.roomId, roomId)
    const list = page.data.messages as Array<{ eventSeq: number }>
    missed.push(...list.map((m) => ({ type: 'sync', data: { message: m } }) as unknown as Frame))
    if (list.length > 0) since = list[list.length - 1]!.eventSeq
    if (page.data.hasMore !== true) break
  }
  t.same(missed.map((f) => [f.data.message!.body, f.data.message!.eventSeq]), [
    ['while away 1', 4],
    ['edited while away', 5],
    ['', 6],
    ['while away 2', 7]
  ], 'exactly the missed events, oldest first, no gap, no duplicate')
  t.notOk(missed.some((f) => f.data.message!.id === first.data.message!.id), 'nothing it already had')
  await Promise.all([a.close(), b.close()])
})

t.test('graceful shutdown: every send already received is acked, then sockets close with 1001', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const socket = await openSocket(app, alice.token)
  const roomId = (socket.ready.data.rooms as Array<{ id: string }>)[0]!.id
  const N = 40
  const answers = Array.from({ length: N }, (_, i) => socket.request('message.send', { roomId, body: `last words ${i}`, clientId: `g${i}` }))
  // Shut down once the server has received them all (the first ack proves the first arrived).
  await answers[0]
  const closing = app.close()
  const results = await Promise.allSettled(answers)
  t.equal(results.filter((r) => r.status === 'fulfilled' && r.value.type === 'ack').length, N, 'all acked before the close')
  t.equal((await socket.closed).code, CLOSE.goingAway)
  await closing
})
