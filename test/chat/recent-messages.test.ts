import t from 'tap'
import type { ChatMessage } from '../../src/chat/quotes.js'
import { createRecentMessages } from '../../src/chat/recent-messages.js'

const ROOM = 'room-1'
const row = (seq: number, eventSeq = seq, body = `m${seq}`): ChatMessage => ({
  id: `id-${seq}`,
  roomId: ROOM,
  seq,
  eventSeq,
  senderId: 'u1',
  clientId: null,
  body,
  imageKey: null,
  thumbKey: null,
  imageWidth: null,
  imageHeight: null,
  createdAt: new Date(0),
  editedAt: null,
  deletedAt: null,
  reactions: {},
  replyToId: null,
  replyTo: null
})
const newestFirst = (n: number) => Array.from({ length: n }, (_, i) => row(n - i))
const created = (seq: number) => ({ type: 'message.new' as const, roomId: ROOM, message: row(seq) })

t.test('serves the latest page of a filled room to its known members only', async (t) => {
  const cache = createRecentMessages()
  t.equal(cache.latest(ROOM, 'u1', 50), undefined, 'nothing before a fill')
  cache.fill(ROOM, 'u1', 120, newestFirst(120).slice(0, cache.fillSize))
  const page = cache.latest(ROOM, 'u1', 50)!
  t.same(page.rows.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => 71 + i))
  t.equal(page.hasMore, true)
  t.equal(page.lastSeq, 120)
  t.equal(cache.latest(ROOM, 'u2', 50), undefined, 'an unknown user goes to the database')
  cache.join(ROOM, ['u2'])
  t.ok(cache.latest(ROOM, 'u2', 50), 'a joined member is known')
  t.equal(cache.latest(ROOM, 'u1', 100)!.rows.length, 100)
})

t.test('a small room is served whole, with hasMore false', async (t) => {
  const cache = createRecentMessages()
  cache.fill(ROOM, 'u1', 3, newestFirst(3))
  t.match(cache.latest(ROOM, 'u1', 50), { hasMore: false, lastSeq: 3 })
  t.match(cache.latest(ROOM, 'u1', 3), { hasMore: false })
  t.match(cache.latest(ROOM, 'u1', 2), { hasMore: true })
  cache.apply(created(4))
  t.same(cache.latest(ROOM, 'u1', 50)!.rows.map((r) => r.seq), [1, 2, 3, 4])
})

t.test('follows events in order: new messages, edits, deletions, and the window slides', async (t) => {
  const cache = createRecentMessages()
  cache.fill(ROOM, 'u1', 101, newestFirst(101))
  t.equal(cache.latest(ROOM, 'u1', 100)!.hasMore, true, '101 kept: the 101st says older ones exist')
  cache.apply(created(102))
  cache.apply({ type: 'message.updated', roomId: ROOM, message: row(100, 103, 'edited') })
  cache.apply({ type: 'message.updated', roomId: ROOM, message: row(1, 104, '') }) // outside the window now
  const page = cache.latest(ROOM, 'u1', 3)!
  t.same(page.rows.map((r) => [r.seq, r.body]), [[100, 'edited'], [101, 'm101'], [102, 'm102']])
  t.equal(page.lastSeq, 104)
  t.equal(cache.latest(ROOM, 'u1', 100)!.rows[0]!.seq, 3, 'the window keeps the newest 101')
})

t.test('a gap in the events drops the room; the next read refills it', async (t) => {
  const cache = createRecentMessages()
  cache.fill(ROOM, 'u1', 5, newestFirst(5))
  cache.apply(created(7))
  t.equal(cache.latest(ROOM, 'u1', 50), undefined)
})

t.test('a fill that raced with a newer event is not kept (its rows may miss it)', async (t) => {
  const cache = createRecentMessages()
  cache.apply(created(6)) // emitted while the reader's queries were on their way
  cache.fill(ROOM, 'u1', 5, newestFirst(5))
  t.equal(cache.latest(ROOM, 'u1', 50), undefined)
  cache.fill(ROOM, 'u1', 6, newestFirst(6))
  t.equal(cache.latest(ROOM, 'u1', 50)!.lastSeq, 6)
  cache.apply(created(6)) // an event the fill had already read arrives late: harmless
  t.same(cache.latest(ROOM, 'u1', 50)!.rows.map((r) => r.seq), [1, 2, 3, 4, 5, 6])
})

t.test('keeps at most maxRooms rooms, dropping the least recently read', async (t) => {
  const cache = createRecentMessages(2)
  for (const room of ['a', 'b']) cache.fill(room, 'u1', 1, [{ ...row(1), roomId: room }])
  cache.latest('a', 'u1', 50)
  cache.fill('c', 'u1', 1, [{ ...row(1), roomId: 'c' }])
  t.ok(cache.latest('a', 'u1', 50))
  t.equal(cache.latest('b', 'u1', 50), undefined)
  t.ok(cache.latest('c', 'u1', 50))
})

t.test('what a caller keeps beside a page is forgotten when the room changes', async (t) => {
  const cache = createRecentMessages()
  cache.fill(ROOM, 'u1', 2, newestFirst(2))
  cache.latest(ROOM, 'u1', 50)!.memo.set('50', 'serialised page')
  t.equal(cache.latest(ROOM, 'u1', 50)!.memo.get('50'), 'serialised page')
  cache.apply(created(3))
  t.equal(cache.latest(ROOM, 'u1', 50)!.memo.size, 0)
})

t.test('a change to an original shows in the replies the window holds, without touching pages handed out', async (t) => {
  const recent = createRecentMessages()
  const original = row(1)
  const reply: ChatMessage = { ...row(2), replyToId: original.id, replyTo: { id: original.id, seq: 1, senderId: 'u1', body: 'm1', imageKey: null, deletedAt: null } }
  recent.fill(ROOM, 'u1', 2, [reply, original])
  const before = recent.latest(ROOM, 'u1', 50)!.rows
  recent.apply({ type: 'message.updated', roomId: ROOM, message: { ...original, eventSeq: 3, body: 'edited' } })
  const after = recent.latest(ROOM, 'u1', 50)!.rows
  t.equal(after[1]!.replyTo!.body, 'edited')
  t.equal(after[1]!.eventSeq, 2, 'the reply itself did not change')
  t.equal(before[1]!.replyTo!.body, 'm1', 'a page already handed out is not rewritten under its reader')
})
