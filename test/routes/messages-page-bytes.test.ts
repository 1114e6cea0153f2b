import t from 'tap'
import { PAGE_BYTES } from '../../src/chat/chat-service.js'
import { bearer, build, userWithToken } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'

interface Page { messages: Array<{ seq: number, eventSeq: number, body: string }>, hasMore: boolean }

t.test('pages of long messages are cut at PAGE_BYTES with hasMore, and following hasMore loses nothing', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const long = (i: number) => `${i} ${'🙂'.repeat(1000)}${'x'.repeat(2990)}`
  for (let i = 1; i <= 100; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { body: long(i) } })
    t.equal(res.statusCode, 201)
  }
  const get = async (query: string): Promise<Page> => (await app.inject({ url: `/api/messages?${query}`, headers: bearer(alice.token) })).json()

  // The change feed, page after page.
  const seen: number[] = []
  let since = 0
  let pages = 0
  for (;;) {
    const page = await get(`since=${since}&limit=100`)
    pages++
    t.ok(page.messages.length >= 1)
    t.ok(JSON.stringify(page.messages).length < PAGE_BYTES * 1.5, 'a bounded page')
    seen.push(...page.messages.map((m) => m.eventSeq))
    since = page.messages.at(-1)!.eventSeq
    if (!page.hasMore) break
  }
  t.ok(pages > 2, `cut into ${pages} pages`)
  t.same(seen, Array.from({ length: 100 }, (_, i) => i + 1), 'every event, once, in order')

  // The latest page keeps the newest; scrolling up with before= reaches the first.
  const latest = await get('limit=100')
  t.ok(latest.hasMore)
  t.equal(latest.messages.at(-1)!.body, long(100))
  const again = await get('limit=100')
  t.same(again.messages.map((m) => m.seq), latest.messages.map((m) => m.seq), 'the same from the recent-page cache')
  const history = [...latest.messages.map((m) => m.seq)]
  let page = latest
  while (page.hasMore) {
    page = await get(`before=${page.messages[0]!.seq}&limit=100`)
    history.unshift(...page.messages.map((m) => m.seq))
  }
  t.same(history, Array.from({ length: 100 }, (_, i) => i + 1))

  // The same over the WebSocket.
  const socket = await openSocket(app, alice.token)
  const roomId = (socket.ready.data.rooms as Array<{ id: string }>)[0]!.id
  const synced = await socket.request('sync', { roomId, since: 0 })
  t.equal(synced.data.hasMore, true)
  t.ok((synced.data.messages as unknown[]).length < 100)
})
