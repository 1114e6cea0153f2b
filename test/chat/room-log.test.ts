import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { messages, rooms } from '../../db/schema/index.js'
import type { ChatEvent } from '../../src/chat/chat-service.js'
import { build, createUser, selectRows } from '../helper.js'

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
    const [room] = await app.database.db.select().from(rooms).where(eq(rooms.id, roomId))
    const n = room!.lastSeq
    t.same(log.map((e) => e.message.eventSeq), Array.from({ length: n }, (_, i) => i + 1), `${roomId === family ? 'Family' : 'direct'}: events 1..${n} in order`)
    t.ok(log.filter((e) => e.type === 'message.new').every((e) => e.message.seq === e.message.eventSeq), 'a creation event is the message\'s seq')
    const stored = await app.database.db.select().from(messages).where(eq(messages.roomId, roomId))
    t.equal(stored.length, log.filter((e) => e.type === 'message.new').length, 'one row per creation event')
    // Every stored row is the state of its latest event.
    const latest = new Map(log.map((e) => [e.message.id, e.message]))
    t.same(stored.filter((row) => row.eventSeq !== latest.get(row.id)!.eventSeq), [])
  }
  t.equal(events.filter((e) => e.type === 'message.new').length, 400, 'retries created nothing')
  // Whichever of a pair was appended first is stored; both are answered with it.
  const pairs = sent.slice(300).map((retry, i) => [sent[i * 10 + 1]!, retry] as const)
  t.ok(pairs.every(([a, b]) => a.message.id === b.message.id && Number(a.changed) + Number(b.changed) === 1), 'an original and its retry answered with the one stored message')
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
  const stored = await app.database.db.select().from(messages).where(eq(messages.senderId, alice))
  t.same(bodies.map((_, i) => stored.find((m) => m.clientId === `q${i}`)?.body), bodies, 'stored as sent, and the table is still there')
  const again = await app.chat.send(alice, { body: bodies[0]!, clientId: 'q0' })
  t.equal(again.changed, false, 'a retry with the same clientId finds the original')
})

t.test('sends queued in the same turn of the event loop are committed together', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  const family = (await app.chat.rooms(alice))[0]!.id
  await app.chat.send(alice, { roomId: family, body: 'first' })
  await app.chat.drain()

  // As a socket sends: its membership is known, nothing is awaited before the append.
  const results = await Promise.all(['one', 'two', 'three'].map((body) => app.chat.send(alice, { roomId: family, body }, { member: true })))
  t.same(results.map((r) => r.message.seq), [2, 3, 4], 'numbered in the order they were queued')
  // Rows written by one statement carry its transaction's id.
  const ids = results.map((r) => r.message.id)
  const rows = await selectRows(app, sql`select distinct xmin::text as tx from messages where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`)
  t.equal(rows.length, 1, 'one transaction for the three')
})

t.test('a batch mixing new messages with retries of stored ones inserts the new only, numbered in order', async (t) => {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  const family = (await app.chat.rooms(alice))[0]!.id
  const originals = await Promise.all(['a', 'b'].map((clientId) => app.chat.send(alice, { roomId: family, body: `original ${clientId}`, clientId }, { member: true })))
  await app.chat.drain()

  // Queued in one turn, as a socket's frames are: one batch, in which the database finds a and b stored.
  const batch = [['c', 'new c'], ['a', 'retry a'], ['d', 'new d'], ['b', 'retry b'], [null, 'no client id']] as const
  const results = await Promise.all(batch.map(([clientId, body]) =>
    app.chat.send(alice, { roomId: family, body, ...(clientId === null ? {} : { clientId }) }, { member: true })))

  t.same(results.map((r) => r.changed), [true, false, true, false, true], 'only the new ones changed the log')
  t.same(results.map((r) => r.message.seq), [3, 1, 4, 2, 5], 'new ones numbered after the stored ones, in queued order; retries answered with the originals')
  t.same([results[1]!.message.id, results[3]!.message.id], originals.map((r) => r.message.id), 'a retry is answered with its original')
  t.same(results.map((r) => r.message.body), ['new c', 'original a', 'new d', 'original b', 'no client id'])
  const stored = await app.database.db.select().from(messages).where(eq(messages.roomId, family))
  t.equal(stored.length, 5, 'nothing stored twice')
  for (const { message } of results) {
    const row = stored.find((m) => m.id === message.id)
    t.same(row && { seq: row.seq, eventSeq: row.eventSeq, body: row.body, clientId: row.clientId, createdAt: row.createdAt.toISOString() },
      { seq: message.seq, eventSeq: message.eventSeq, body: message.body, clientId: message.clientId, createdAt: message.createdAt.toISOString() },
      `message ${message.seq} answered as stored`)
  }
  const [room] = await app.database.db.select().from(rooms).where(eq(rooms.id, family))
  t.equal(room!.lastSeq, 5, 'the room counter moved by the three inserted')
})
