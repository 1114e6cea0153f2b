import t from 'tap'
import { bearer, login, PASSWORD } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'
import { webp } from '../fixtures/images.js'
import { multipart } from '../fixtures/multipart.js'
import { adminCommands } from '../../src/admin/commands.js'
import { pushFamily, sendMessage, subscribedDevice } from './push-fixture.js'

t.test('a new message buzzes every other member\'s devices, once each, and nobody else\'s', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'])
  const { app, fake, users, familyRoomId } = family
  const patch = (user: string, payload: object) => app.inject({ method: 'PATCH', url: `/api/rooms/${familyRoomId}/notifications`, headers: bearer(users[user]!.token), payload })

  await subscribedDevice(family, 'alice')
  await subscribedDevice(family, 'bob')
  const bobTablet = fake.device('bob-tablet')
  const tabletToken = await login(app, 'bob', PASSWORD, 'tablet')
  await app.inject({ method: 'PUT', url: '/api/push/subscription', headers: bearer(tabletToken), payload: bobTablet.subscription })
  await subscribedDevice(family, 'carol')
  await subscribedDevice(family, 'dave')
  await subscribedDevice(family, 'erin')
  // frank has no subscription at all.
  t.equal((await patch('carol', { notify: 'none' })).statusCode, 200)
  t.equal((await patch('dave', { mutedUntil: new Date(Date.now() + 8 * 3600_000).toISOString() })).statusCode, 200)
  const erinSocket = await openSocket(app, users.erin!.token)

  const message = await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: 'Dinner at 7 🍝' })
  const [bob] = await fake.waitFor('bob')
  await fake.waitFor('bob-tablet')
  await app.push.service().idle()
  t.same(fake.rejected, [], 'every push verified and decrypted')
  t.equal(fake.pushesTo('bob').length, 1, 'one push per device')
  t.equal(fake.pushesTo('alice').length, 0, 'never the sender')
  t.equal(fake.pushesTo('carol').length, 0, 'never a room set to notify none')
  t.equal(fake.pushesTo('dave').length, 0, 'never a room muted until later')
  t.equal(fake.pushesTo('erin').length, 0, 'never a session with a socket in the foreground')
  t.same(bob!.payload, { v: 1, roomId: familyRoomId, messageId: message.id, seq: message.seq, title: 'alice in Family', body: 'Dinner at 7 🍝', unread: 1 })
  t.same(bob!.headers, { ttl: '43200', urgency: 'normal', topic: familyRoomId.replaceAll('-', '') })
  t.match(bob!.vapid, { sub: 'mailto:grandpa@family.example' })

  // The app went to the background: now erin is away.
  erinSocket.send(JSON.stringify({ type: 'visibility', data: { visible: false } }))
  t.equal((await erinSocket.request('ping')).type, 'pong', 'visibility has no answer of its own')
  // A mute that has run out no longer silences.
  await patch('dave', { mutedUntil: new Date(Date.now() - 1000).toISOString() })
  await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: 'second' })
  const [, erinsOnly] = [await fake.waitFor('erin'), await fake.waitFor('dave')]
  t.ok(erinsOnly)
  t.match(fake.pushesTo('bob')[1]!.payload, { body: 'second', unread: 2 }, 'the badge counts what bob has not read')

  // Visible again: no more pushes to erin.
  erinSocket.send(JSON.stringify({ type: 'visibility', data: { visible: true } }))
  await erinSocket.request('ping')
  await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: 'third' })
  await fake.waitFor('bob', 3)
  await app.push.service().idle()
  t.equal(fake.pushesTo('erin').length, 1)
  await erinSocket.close()
})

t.test('a device whose session ended is not pushed', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob', 'carol'])
  const { app, fake, users, familyRoomId } = family
  await subscribedDevice(family, 'bob')
  await subscribedDevice(family, 'carol')
  await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: 'hello' })
  await fake.waitFor('bob')
  // Right after a push went to it, so nothing remembered from that round may reach it again.
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(users.bob!.token) })).statusCode, 204)
  await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: 'anyone?' })
  await fake.waitFor('carol', 2)
  await app.push.service().idle()
  t.equal(fake.pushesTo('bob').length, 1, 'the lost phone stays quiet')
})

t.test('a member an admin adds to a room is pushed from its next message', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob', 'carol'])
  const { app, fake, users } = family
  await subscribedDevice(family, 'bob')
  await subscribedDevice(family, 'carol')
  const admin = { db: app.database.db, onRevoked: () => {}, onJoined: (roomId: string, userIds: string[]) => app.chat.joined(roomId, userIds) }
  await adminCommands['create-room'](admin, { name: 'Cousins', members: ['alice', 'carol'] })
  const rooms = (await app.inject({ url: '/api/rooms', headers: bearer(users.alice!.token) })).json().rooms as Array<{ id: string, name: string }>
  const cousins = rooms.find((r) => r.name === 'Cousins')!.id
  await sendMessage(app, users.alice!.token, { roomId: cousins, body: 'only carol hears this' })
  await fake.waitFor('carol')
  await adminCommands['add-member'](admin, { room: 'Cousins', username: 'bob' })
  await sendMessage(app, users.alice!.token, { roomId: cousins, body: 'welcome, bob' })
  await fake.waitFor('carol', 2)
  await app.push.service().idle()
  // Both pushes of the second message come from the same round: the room's recipients were asked again.
  t.match(fake.pushesTo('bob').map((p) => p.payload), [{ roomId: cousins, body: 'welcome, bob' }])
})

t.test('edits, deletions, reactions and reads push nothing', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob'])
  const { app, fake, users, familyRoomId } = family
  await subscribedDevice(family, 'bob')
  const message = await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: 'original' })
  await fake.waitFor('bob')
  const alice = bearer(users.alice!.token)
  t.equal((await app.inject({ method: 'PATCH', url: `/api/messages/${message.id as string}`, headers: alice, payload: { body: 'edited' } })).statusCode, 200)
  t.equal((await app.inject({ method: 'PUT', url: `/api/messages/${message.id as string}/reaction`, headers: alice, payload: { emoji: '👍' } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/api/rooms/${familyRoomId}/read`, headers: bearer(users.bob!.token), payload: { seq: 2 } })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/messages/${message.id as string}`, headers: alice })).statusCode, 200)
  await app.push.service().idle()
  t.equal(fake.pushesTo('bob').length, 1)
})

t.test('what a push says follows the device\'s preview; a photo, a direct room', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob', 'carol', 'dave'])
  const { app, fake, users, familyRoomId } = family
  await subscribedDevice(family, 'bob', 'full')
  await subscribedDevice(family, 'carol', 'sender')
  await subscribedDevice(family, 'dave', 'none')
  const long = 'ab'.repeat(40) + '👍'.repeat(100)
  const message = await sendMessage(app, users.alice!.token, { roomId: familyRoomId, body: long })
  const facts = { v: 1, roomId: familyRoomId, messageId: message.id, seq: message.seq, unread: 1 }
  t.same((await fake.waitFor('bob'))[0]!.payload, { ...facts, title: 'alice in Family', body: [...long].slice(0, 120).join('') }, 'full: the first 120 code points')
  t.same((await fake.waitFor('carol'))[0]!.payload, { ...facts, title: 'alice in Family', body: 'New message' }, 'sender only')
  t.same((await fake.waitFor('dave'))[0]!.payload, { ...facts, title: 'Family Chat', body: 'New message' }, 'nothing')

  const form = multipart({ roomId: familyRoomId }, { filename: 'p.webp', contentType: 'image/webp', bytes: await webp() })
  const photo = await app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...bearer(users.alice!.token), ...form.headers }, payload: form.payload })
  t.equal(photo.statusCode, 201)
  t.match((await fake.waitFor('bob', 2))[1]!.payload, { title: 'alice in Family', body: '📷 Photo', unread: 2 })

  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(users.alice!.token), payload: { userId: users.bob!.id } })).json().room
  await sendMessage(app, users.alice!.token, { roomId: direct.id, body: 'just you' })
  const [, , inDirect] = await fake.waitFor('bob', 3)
  t.match(inDirect!.payload, { roomId: direct.id, title: 'alice', body: 'just you', unread: 3 })
  t.same(inDirect!.headers, { ttl: '43200', urgency: 'high', topic: direct.id.replaceAll('-', '') }, 'a direct message is urgent')
  t.same(fake.rejected, [])
})
