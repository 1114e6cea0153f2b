import t from 'tap'
import { eq } from 'drizzle-orm'
import { messages, rooms } from '../../db/schema/index.js'
import type { ChatEvent } from '../../src/chat/chat-service.js'
import { createRoomLog, type LogOp, type MessageEvent } from '../../src/chat/room-log.js'
import { build, createUser } from '../helper.js'

t.test('hundreds of concurrent sends, edits and deletes give each room the events 1..N, in order', async (t) => {
  const app = await build(t)
  const users = await Promise.all(['alice', 'bob', 'carol'].map((u) => createUser(app, u)))
  const [alice, bob, carol] = users as [string, string, string]
  const family = (await app.chat.rooms(alice))[0]!.id
  const direct = (await app.chat.directRoom(alice, bob)).id
  const events: ChatEvent[] = []
  app.chat.onEvent((e) => events.push(e))

  const sends = Array.from({ length: 300 }, (_, i) => {
    const toDirect = i % 3 === 0
    const sender = toDirect ? (i % 2 === 0 ? alice : bob) : users[i % 3]!
    return app.chat.send(sender, { roomId: toDirect ? direct : family, body: `message ${i}`, clientId: `c${i}` })
  })
  // Retries of the same clientIds race with the originals.
  const retries = Array.from({ length: 30 }, (_, i) => {
    const j = i * 10 + 1
    const sender = j % 3 === 0 ? (j % 2 === 0 ? alice : bob) : users[j % 3]!
    return app.chat.send(sender, { roomId: j % 3 === 0 ? direct : family, body: 'retry', clientId: `c${j}` })
  })
  const sent = await Promise.all([...sends, ...retries])
  const created = sent.slice(0, 300).map((r) => r.message)

  const changes = created.slice(0, 150).map((m, i) => i % 3 === 0
    ? app.chat.remove(m.senderId, m.id)
    : app.chat.edit(m.senderId, m.id, `edited ${i}`))
  const more = Array.from({ length: 100 }, (_, i) => app.chat.send(i % 2 === 0 ? carol : alice, { roomId: family, body: `late ${i}` }))
  await Promise.all([...changes, ...more])
  await app.chat.drain()

  for (const roomId of [family, direct]) {
    const log = events.filter((e): e is Extract<ChatEvent, { type: 'message.new' | 'message.updated' }> =>
      e.type !== 'read' && e.type !== 'room.joined' && e.roomId === roomId)
    const [room] = await app.db.select().from(rooms).where(eq(rooms.id, roomId))
    const n = room!.lastSeq
    t.same(log.map((e) => e.message.eventSeq), Array.from({ length: n }, (_, i) => i + 1), `${roomId === family ? 'Family' : 'direct'}: events 1..${n} in order`)
    t.ok(log.filter((e) => e.type === 'message.new').every((e) => e.message.seq === e.message.eventSeq), 'a creation event is the message\'s seq')
    const stored = await app.db.select().from(messages).where(eq(messages.roomId, roomId))
    t.equal(stored.length, log.filter((e) => e.type === 'message.new').length, 'one row per creation event')
    // Every stored row is the state of its latest event.
    const latest = new Map(log.map((e) => [e.message.id, e.message]))
    t.same(stored.filter((row) => row.eventSeq !== latest.get(row.id)!.eventSeq), [])
  }
  t.equal(events.filter((e) => e.type === 'message.new').length, 400, 'retries created nothing')
  const retried = sent.slice(300)
  t.ok(retried.every((r) => !r.changed && r.message.body.startsWith('message ')), 'retries answered with the originals')
})

t.test('message text that looks like SQL or escapes is stored exactly as sent', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  const bodies = [
    "it's'); drop table messages; --",
    "''''",
    'back\\slash \\\' \\" \\\\ \\u0000 \\n',
    '$1 $2 $$ $tag$ ::jsonb',
    '"quoted" {"json": [1, "two"]} ]}',
    'emoji 👨‍👩‍👧 and ünïcödé'
  ]
  const sent = await Promise.all(bodies.map((body, i) => app.chat.send(alice, { body, clientId: `q${i}` })))
  t.same(sent.map((r) => r.message.body), bodies, 'answered with the text as sent')
  const stored = await app.db.select().from(messages).where(eq(messages.senderId, alice))
  t.same(bodies.map((_, i) => stored.find((m) => m.clientId === `q${i}`)?.body), bodies, 'stored as sent, and the table is still there')
  const again = await app.chat.send(alice, { body: bodies[0]!, clientId: 'q0' })
  t.equal(again.changed, false, 'a retry with the same clientId finds the original')
})

t.test('sends queued in the same turn of the event loop are committed by one statement', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  const family = (await app.chat.rooms(alice))[0]!.id
  let statements = 0
  // Every write of the room log goes through `execute`; reads (retries) would use `select`.
  const counted = new Proxy(app.db, {
    get (target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (key !== 'execute' || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        statements++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    }
  })
  const events: MessageEvent[] = []
  const log = createRoomLog(counted, (e) => events.push(e))
  const send = (body: string): LogOp => ({ kind: 'send', senderId: alice, clientId: null, body, image: null })
  await log.append(family, send('first, which also prepares the statement where that is done once'))
  await log.drain()

  statements = 0
  const results = await Promise.all(['one', 'two', 'three'].map((body) => log.append(family, send(body))))
  t.equal(statements, 1, 'one statement for the three')
  t.same(results.map((r) => r.message.seq), [2, 3, 4], 'numbered in the order they were queued')
  await log.drain()
  t.same(events.map((e) => e.message.body), ['first, which also prepares the statement where that is done once', 'one', 'two', 'three'])
})
