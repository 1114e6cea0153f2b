import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { aliceAndBob, bearer, build, userWithToken } from '../helper.js'

interface Page { messages: Array<{ id: string, seq: number, eventSeq: number, body: string, deletedAt: string | null }>, hasMore: boolean, lastSeq: number }

const latest = async (app: FastifyInstance, token: string, limit: number): Promise<Page> =>
  (await app.inject({ url: `/api/messages?limit=${limit}`, headers: bearer(token) })).json()
// `before` always reads the database: the reference the in-memory latest page must equal.
const fromDatabase = async (app: FastifyInstance, token: string, limit: number, lastSeq: number): Promise<Page> =>
  (await app.inject({ url: `/api/messages?limit=${limit}&before=${lastSeq + 1}`, headers: bearer(token) })).json()

t.test('the latest page stays exact through sends, edits and deletions read while they happen', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const own = new Map<string, string[]>([[alice.token, []], [bob.token, []]])
  let random = 7
  const next = (n: number) => { random = (random * 1103515245 + 12345) % 2 ** 31; return random % n }

  const write = async (i: number) => {
    const token = next(2) === 0 ? alice.token : bob.token
    const mine = own.get(token)!
    const choice = next(10)
    if (choice < 7 || mine.length === 0) {
      const res = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body: `message ${i}` } })
      mine.push(res.json().message.id)
    } else if (choice < 9) {
      await app.inject({ method: 'PATCH', url: `/api/messages/${mine[next(mine.length)]}`, headers: bearer(token), payload: { body: `edited ${i}` } })
    } else {
      await app.inject({ method: 'DELETE', url: `/api/messages/${mine[next(mine.length)]}`, headers: bearer(token) })
    }
  }
  const seen: Page[] = []
  for (let round = 0; round < 15; round++) {
    // Writers and readers at once: a read may land anywhere between commits.
    await Promise.all([
      ...Array.from({ length: 12 }, (_, k) => write(round * 12 + k)),
      ...[1, 10, 50, 100].map(async (limit) => { seen.push(await latest(app, alice.token, limit)) })
    ])
  }
  // Mid-traffic pages can only be checked for shape; the final ones are compared whole.
  for (const page of seen) {
    const seqs = page.messages.map((m) => m.seq)
    t.ok(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!), 'strictly ascending, no duplicates')
  }
  for (const limit of [1, 10, 50, 100]) {
    const mem = await latest(app, bob.token, limit)
    const db = await fromDatabase(app, bob.token, limit, mem.lastSeq)
    t.same(mem.messages, db.messages, `limit ${limit}: the same messages as the database, edits and deletions included`)
    t.equal(mem.hasMore, db.hasMore)
    t.same(await latest(app, alice.token, limit), mem, 'read again (the kept serialisation): the same page')
  }
  const [family] = (await app.inject({ url: '/api/rooms', headers: bearer(bob.token) })).json().rooms as Array<{ lastSeq: number }>
  t.equal((await latest(app, bob.token, 50)).lastSeq, family!.lastSeq, 'lastSeq is the room\'s last event')
})

t.test('a member who joins later reads the cached room; a stranger still gets 404', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { body: 'hello' } })
  const before = await latest(app, alice.token, 50)
  const bob = await userWithToken(app, 'bob')
  t.same((await latest(app, bob.token, 50)).messages, before.messages)
  const carol = await userWithToken(app, 'carol')
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room
  await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { roomId: direct.id, body: 'just us' } })
  t.equal((await app.inject({ url: `/api/messages?roomId=${direct.id}`, headers: bearer(bob.token) })).json().messages[0].body, 'just us')
  const stranger = await app.inject({ url: `/api/messages?roomId=${direct.id}`, headers: bearer(carol.token) })
  t.equal(stranger.statusCode, 404)
  t.match(stranger.json(), { code: 'not_found' })
})
