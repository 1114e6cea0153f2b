import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { messages } from '../../db/schema/index.js'
import { aliceAndBob, bearer, tempDir, userWithToken } from '../helper.js'
import * as images from '../fixtures/images.js'
import { multipart } from '../fixtures/multipart.js'
import { mediaFiles } from '../fixtures/media-files.js'
import { openSocket } from '../fixtures/ws-client.js'

const post = (app: FastifyInstance, token: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload })
const send = async (app: FastifyInstance, token: string, body: string, extra: Record<string, unknown> = {}) =>
  (await post(app, token, { body, ...extra })).json().message
const edit = (app: FastifyInstance, token: string, id: string, body: string) =>
  app.inject({ method: 'PATCH', url: `/api/messages/${id}`, headers: bearer(token), payload: { body } })
const remove = (app: FastifyInstance, token: string, id: string) =>
  app.inject({ method: 'DELETE', url: `/api/messages/${id}`, headers: bearer(token) })
const upload = (app: FastifyInstance, token: string, fields: Record<string, string>, bytes: Buffer) => {
  const { payload, headers } = multipart(fields, { bytes })
  return app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...headers, ...bearer(token) }, payload })
}
const page = async (app: FastifyInstance, token: string, query = '') =>
  (await app.inject({ url: `/api/messages${query}`, headers: bearer(token) })).json()
const stored = (app: FastifyInstance) => app.database.db.select().from(messages).orderBy(messages.seq)

t.test('a reply carries its original: id, seq, sender, the first 140 code points, hasImage, deletedAt', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const original = await send(app, alice.token, 'Who is picking up Grandma on Sunday?')
  const res = await post(app, bob.token, { body: 'I can!', replyToId: original.id })
  t.equal(res.statusCode, 201)
  t.same(res.json().message.replyTo, { id: original.id, seq: 1, senderId: alice.id, body: 'Who is picking up Grandma on Sunday?', hasImage: false, deletedAt: null })
  t.equal((await send(app, bob.token, 'not a reply')).replyTo, null)
})

t.test('the quote is cut at 140 code points, never inside an emoji', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const long = `${'a'.repeat(139)}👨‍👩‍👧${'b'.repeat(50)}`
  const original = await send(app, alice.token, long)
  const reply = await send(app, bob.token, 'tl;dr', { replyToId: original.id })
  t.equal(reply.replyTo.body, `${'a'.repeat(139)}👨`)
  t.equal([...reply.replyTo.body].length, 140)
})

t.test('an edit or deletion of the original shows in every reply, on every way of reading it', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const original = await send(app, alice.token, 'dinner at 7')
  const reply = await send(app, bob.token, 'ok', { replyToId: original.id })
  t.equal((await page(app, bob.token)).messages[1].replyTo.body, 'dinner at 7', 'read once: the room is cached')
  await edit(app, alice.token, original.id, 'dinner at 8')
  t.equal((await page(app, bob.token)).messages[1].replyTo.body, 'dinner at 8', 'the latest page')
  t.equal((await page(app, bob.token, `?roomId=${reply.roomId}&before=3`)).messages[1].replyTo.body, 'dinner at 8', 'an older page')
  await remove(app, alice.token, original.id)
  const feed = await page(app, bob.token, `?roomId=${reply.roomId}&since=0`)
  const quoted = feed.messages.find((m: { id: string }) => m.id === reply.id)
  t.match(quoted.replyTo, { id: original.id, body: '', hasImage: false })
  t.match(quoted.replyTo.deletedAt, /Z$/)
  t.equal(quoted.eventSeq, 2, 'the reply itself did not change')
  t.same((await page(app, bob.token)).messages[1].replyTo, quoted.replyTo, 'the cached page agrees')
})

t.test('over WebSocket: message.send with replyToId acks and announces the reply with its quote', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const original = await send(app, alice.token, 'movie night?')
  const aliceSocket = await openSocket(app, alice.token)
  const bobSocket = await openSocket(app, bob.token)
  const ack = await bobSocket.request('message.send', { roomId: original.roomId, body: 'yes!', clientId: 'r1', replyToId: original.id })
  t.equal(ack.type, 'ack')
  t.match(ack.data.message, { body: 'yes!', replyTo: { id: original.id, body: 'movie night?' } })
  t.match((await aliceSocket.next('message.new')).data.message, { body: 'yes!', replyTo: { id: original.id, senderId: alice.id } })
  await Promise.all([aliceSocket.close(), bobSocket.close()])
})

t.test('a retried reply answers the stored message, even once its original is deleted', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const original = await send(app, alice.token, 'hi')
  const first = await post(app, bob.token, { body: 'hello', clientId: 'once', replyToId: original.id })
  await remove(app, alice.token, original.id)
  const again = await post(app, bob.token, { body: 'hello', clientId: 'once', replyToId: original.id })
  t.equal(again.statusCode, 200)
  t.equal(again.json().message.id, first.json().message.id)
  t.equal((await stored(app)).length, 2)
})

t.test('a photo can reply, and a reply to a photo says so', async (t) => {
  const dataDir = tempDir(t)
  const { app, alice, bob } = await aliceAndBob(t, { DATA_DIR: dataDir })
  const photo = (await upload(app, alice.token, { body: 'the garden' }, await images.webp())).json().message
  const text = await send(app, bob.token, 'lovely', { replyToId: photo.id })
  t.match(text.replyTo, { id: photo.id, body: 'the garden', hasImage: true })
  const res = await upload(app, bob.token, { replyToId: photo.id }, await images.webp())
  t.equal(res.statusCode, 201)
  t.match(res.json().message.replyTo, { id: photo.id, hasImage: true })
})

const refusals: Array<[string, number, string]> = [
  ['an unknown message', 404, 'not_found'],
  ['a malformed id', 404, 'not_found'],
  ['a message of another room', 404, 'not_found'],
  ['a message of a room I am not in', 404, 'not_found'],
  ['a deleted message', 409, 'conflict']
]
for (const [name, status, code] of refusals) {
  t.test(`replying to ${name} is ${status} ${code} over HTTP, the upload and WS, and stores nothing`, async (t) => {
    const dataDir = tempDir(t)
    const { app, alice, bob } = await aliceAndBob(t, { DATA_DIR: dataDir })
    const carol = await userWithToken(app, 'carol')
    const gone = await send(app, alice.token, 'gone')
    await remove(app, alice.token, gone.id)
    const mine = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room
    const inMine = await send(app, alice.token, 'just us', { roomId: mine.id })
    const theirs = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: carol.id } })).json().room
    const secret = await send(app, bob.token, 'secret', { roomId: theirs.id })
    const target: Record<string, string> = {
      'an unknown message': '00000000-0000-4000-8000-000000000000',
      'a malformed id': 'not-a-uuid',
      'a message of another room': inMine.id,
      'a message of a room I am not in': secret.id,
      'a deleted message': gone.id
    }
    const replyToId = target[name]!
    const before = await stored(app)
    const http = await post(app, alice.token, { body: 'hm', replyToId })
    t.equal(http.statusCode, status)
    t.match(http.json(), { statusCode: status, code })
    const photo = await upload(app, alice.token, { replyToId }, await images.webp())
    t.equal(photo.statusCode, status)
    t.match(photo.json(), { statusCode: status, code })
    const socket = await openSocket(app, alice.token)
    const familyId = (socket.ready.data.rooms as Array<{ id: string }>)[0]!.id
    const ws = await socket.request('message.send', { roomId: familyId, body: 'hm', clientId: 'ws-1', replyToId })
    t.match(ws, { type: 'error', data: { code } })
    await socket.close()
    t.same(await stored(app), before)
    t.same(mediaFiles(dataDir), [], 'no photo was stored')
  })
}

t.test('a refused reply among concurrent sends refuses only itself; the log stays gap-free', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const original = await send(app, alice.token, 'first')
  const answers = await Promise.all([
    post(app, bob.token, { body: 'a', replyToId: original.id }),
    post(app, bob.token, { body: 'b', replyToId: '00000000-0000-4000-8000-000000000000' }),
    post(app, alice.token, { body: 'c' }),
    post(app, bob.token, { body: 'd', replyToId: original.id })
  ])
  t.same(answers.map((r) => r.statusCode), [201, 404, 201, 201])
  t.same((await stored(app)).map((m) => [m.seq, m.eventSeq]), [[1, 1], [2, 2], [3, 3], [4, 4]])
  t.same((await stored(app)).map((m) => m.replyToId).filter((id) => id !== null), [original.id, original.id])
})
