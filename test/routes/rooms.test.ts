import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { LAST_MESSAGE_WINDOW } from '../../db/queries/messages.js'
import { adminCommands } from '../../src/admin/commands.js'
import { aliceAndBob, bearer, build, userWithToken } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'

const rooms = async (app: FastifyInstance, token: string) => (await app.inject({ url: '/api/rooms', headers: bearer(token) })).json().rooms
const send = (app: FastifyInstance, token: string, body: string, roomId?: string) =>
  app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body, ...(roomId === undefined ? {} : { roomId }) } })
const read = (app: FastifyInstance, token: string, roomId: string, seq: unknown) =>
  app.inject({ method: 'POST', url: `/api/rooms/${encodeURIComponent(roomId)}/read`, headers: bearer(token), payload: { seq } as Record<string, unknown> })

t.test('every user is in Family; rooms carry lastSeq, lastReadSeq, unread and members', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  await send(app, alice.token, 'one')
  await send(app, alice.token, 'two')
  await send(app, bob.token, 'three')
  const [family] = await rooms(app, bob.token)
  t.same(Object.keys(family).sort(), ['id', 'kind', 'lastMessage', 'lastReadSeq', 'lastSeq', 'memberReadSeqs', 'members', 'mutedUntil', 'name', 'notify', 'unread'])
  t.match(family, { name: 'Family', kind: 'group', lastSeq: 3, lastReadSeq: 0, unread: 2 }, 'my own messages are not unread')
  t.same(family.members, [alice.id, bob.id])
  const [aliceFamily] = await rooms(app, alice.token)
  t.equal(aliceFamily.unread, 1)
  t.same(family.memberReadSeqs, { [alice.id]: aliceFamily.lastReadSeq, [bob.id]: 0 }, 'every member\'s read marker (beyond the contract)')
})

t.test('a new member starts caught up', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  await send(app, alice.token, 'before you came')
  const bob = await userWithToken(app, 'bob')
  t.match((await rooms(app, bob.token))[0], { lastSeq: 1, lastReadSeq: 1, unread: 0 })
})

t.test('read markers only move forward and never past the last event', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  for (const body of ['a', 'b', 'c']) await send(app, alice.token, body)
  const familyId = (await rooms(app, bob.token))[0].id
  const res = await read(app, bob.token, familyId, 2)
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
  t.match((await rooms(app, bob.token))[0], { lastReadSeq: 2, unread: 1 })
  t.equal((await rooms(app, alice.token))[0].memberReadSeqs[bob.id], 2, 'the others see where I have read to')
  t.equal((await read(app, bob.token, familyId, 1)).statusCode, 204)
  t.equal((await rooms(app, bob.token))[0].lastReadSeq, 2, 'not moved back')
  t.equal((await read(app, bob.token, familyId, 999)).statusCode, 204)
  t.match((await rooms(app, bob.token))[0], { lastReadSeq: 3, unread: 0 }, 'clamped to lastSeq')
})

t.test('bad read markers are refused and change nothing', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  await send(app, alice.token, 'x')
  const familyId = (await rooms(app, bob.token))[0].id
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: carol.id } })).json().room
  const cases: Array<[string, string, unknown, number, string]> = [
    ['a negative seq', familyId, -1, 400, 'validation'],
    ['a fractional seq', familyId, 1.5, 400, 'validation'],
    ['a string seq', familyId, '1', 400, 'validation'],
    ['a room I am not in', direct.id, 1, 404, 'not_found'],
    ['an unknown room', '00000000-0000-4000-8000-000000000000', 1, 404, 'not_found'],
    ['a malformed room', 'family', 1, 404, 'not_found']
  ]
  for (const [name, roomId, seq, status, code] of cases) {
    const res = await read(app, bob.token, roomId, seq)
    t.equal(res.statusCode, status, name)
    t.match(res.json(), { statusCode: status, code }, name)
  }
  t.equal((await rooms(app, bob.token))[0].lastReadSeq, 0)
})

t.test('a direct room is created once and seen only by its two members', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const [first, second, reverse] = await Promise.all([
    app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } }),
    app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } }),
    app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: alice.id } })
  ])
  for (const res of [first, second, reverse]) t.equal(res.statusCode, 200)
  const room = first.json().room
  t.equal(second.json().room.id, room.id)
  t.equal(reverse.json().room.id, room.id)
  t.match(room, { kind: 'direct', name: 'bob', lastSeq: 0, unread: 0 })
  t.same([...room.members].sort(), [alice.id, bob.id].sort())
  t.equal(reverse.json().room.name, 'alice', 'named after the other member')
  t.same((await rooms(app, carol.token)).map((r: { name: string }) => r.name), ['Family'])
  t.equal((await rooms(app, alice.token)).length, 2)
})

t.test('bad direct-room requests are refused and create nothing', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const dora = await userWithToken(app, 'dora')
  await adminCommands['disable-user']({ db: app.database.db, onRevoked: () => {} }, { username: 'dora' })
  const cases: Array<[string, unknown, number, string]> = [
    ['myself', { userId: alice.id }, 400, 'validation'],
    ['an unknown user', { userId: '00000000-0000-4000-8000-000000000000' }, 404, 'not_found'],
    ['a malformed id', { userId: 'bob' }, 404, 'not_found'],
    ['a disabled user', { userId: dora.id }, 404, 'not_found'],
    ['no user id', {}, 400, 'validation'],
    ['a numeric id', { userId: 5 }, 400, 'validation']
  ]
  for (const [name, payload, status, code] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: payload as Record<string, unknown> })
    t.equal(res.statusCode, status, name)
    t.match(res.json(), { statusCode: status, code }, name)
  }
  t.equal((await rooms(app, alice.token)).length, 1)
})

t.test('group rooms made by the admin show up for their members only', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  await adminCommands['create-room']({ db: app.database.db, onRevoked: () => {} }, { name: 'Cousins', members: ['alice'] })
  t.same((await rooms(app, alice.token)).map((r: { name: string }) => r.name), ['Family', 'Cousins'])
  t.same((await rooms(app, bob.token)).map((r: { name: string }) => r.name), ['Family'])
  const cousins = (await rooms(app, alice.token))[1]
  t.equal((await send(app, bob.token, 'hi', cousins.id)).statusCode, 404)
})

t.test('a new direct room reaches both members\' open sockets as room.joined, and its messages follow', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const aliceSocket = await openSocket(app, alice.token)
  const bobSocket = await openSocket(app, bob.token)
  const res = await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })
  const room = res.json().room as { id: string }
  for (const socket of [aliceSocket, bobSocket]) {
    t.match((await socket.next('room.joined')).data.room, { id: room.id, kind: 'direct', members: [alice.id, bob.id].sort() })
  }
  await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { roomId: room.id, body: 'psst' } })
  t.equal((await bobSocket.next('message.new')).data.message?.body, 'psst')
  // Asking again finds the room: nothing joined, nothing sent.
  await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: alice.id } })
  t.equal((await aliceSocket.request('ping', {})).type, 'pong')
  t.equal(aliceSocket.frames.filter((f) => f.type === 'room.joined').length, 1)
})

t.test('each room carries its newest message that is not deleted, for the conversation list', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  t.equal((await rooms(app, alice.token))[0].lastMessage, null, 'an empty room has none')
  await send(app, alice.token, 'first')
  const second = (await send(app, bob.token, 'second')).json().message
  await adminCommands['create-room']({ db: app.database.db, onRevoked: () => {} }, { name: 'Cousins', members: ['alice'] })
  const [family, cousins] = await rooms(app, alice.token)
  t.same(family.lastMessage, second, 'the message as the API shows it')
  t.equal(cousins.lastMessage, null, 'per room')
  const third = (await send(app, alice.token, 'third')).json().message
  await app.inject({ method: 'PUT', url: `/api/messages/${second.id}/reaction`, headers: bearer(alice.token), payload: { emoji: '👍' } })
  t.match((await rooms(app, bob.token))[0].lastMessage, { id: third.id, body: 'third' }, 'the newest by seq, not by latest change')
  await app.inject({ method: 'DELETE', url: `/api/messages/${third.id}`, headers: bearer(alice.token) })
  t.match((await rooms(app, bob.token))[0].lastMessage, { id: second.id, reactions: { '👍': [alice.id] } }, 'a deleted message gives way to the one before')
})

t.test('a room whose newest messages are all deleted shows the one before them, past the window the list looks through first', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const kept = (await send(app, alice.token, 'kept')).json().message
  for (let i = 0; i <= LAST_MESSAGE_WINDOW; i++) {
    const { id } = (await send(app, bob.token, `gone ${i}`)).json().message
    t.equal((await app.inject({ method: 'DELETE', url: `/api/messages/${id}`, headers: bearer(bob.token) })).statusCode, 200)
  }
  t.match((await rooms(app, alice.token))[0].lastMessage, { id: kept.id, body: 'kept' })
  await adminCommands['create-room']({ db: app.database.db, onRevoked: () => {} }, { name: 'Cousins', members: ['alice'] })
  const listed = await rooms(app, alice.token)
  t.equal(listed.length, 2)
  t.equal(listed.find((r: { name: string }) => r.name === 'Cousins').lastMessage, null, 'an empty room beside it still has none')
})

t.test('ready and room.joined carry lastMessage too', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const sent = (await send(app, alice.token, 'hello')).json().message
  const socket = await openSocket(app, bob.token)
  t.same((socket.ready.data.rooms as Array<{ lastMessage: unknown }>)[0]!.lastMessage, sent)
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room
  t.equal(direct.lastMessage, null)
  t.match((await socket.next('room.joined')).data.room, { id: direct.id, lastMessage: null })
  await socket.close()
})
