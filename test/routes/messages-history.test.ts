import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { aliceAndBob, bearer, build, userWithToken } from '../helper.js'

async function sendMany (app: FastifyInstance, token: string, n: number, roomId?: string): Promise<string[]> {
  const ids: string[] = []
  for (let i = 1; i <= n; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body: `m${i}`, ...(roomId === undefined ? {} : { roomId }) } })
    ids.push(res.json().message.id)
  }
  return ids
}

const page = async (app: FastifyInstance, token: string, query: string) => {
  const res = await app.inject({ url: `/api/messages${query}`, headers: bearer(token) })
  return { status: res.statusCode, body: res.json() }
}
const bodies = (p: { messages: Array<{ body: string }> }) => p.messages.map((m) => m.body)

t.test('latest, before and since pages', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  t.same((await page(app, alice.token, '')).body, { messages: [], hasMore: false, lastSeq: 0 }, 'empty room')
  await sendMany(app, alice.token, 7)

  const latest = (await page(app, alice.token, '?limit=3')).body
  t.same(bodies(latest), ['m5', 'm6', 'm7'], 'the latest, ascending')
  t.equal(latest.hasMore, true)
  t.equal(latest.lastSeq, 7)
  t.same(bodies((await page(app, alice.token, '')).body), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], 'default limit 50')

  const older = (await page(app, alice.token, '?before=5&limit=3')).body
  t.same(bodies(older), ['m2', 'm3', 'm4'])
  t.equal(older.hasMore, true)
  const oldest = (await page(app, alice.token, '?before=2&limit=3')).body
  t.same(bodies(oldest), ['m1'])
  t.equal(oldest.hasMore, false)

  const feed = (await page(app, alice.token, '?since=4&limit=2')).body
  t.same(bodies(feed), ['m5', 'm6'])
  t.equal(feed.hasMore, true)
  const rest = (await page(app, alice.token, '?since=6&limit=2')).body
  t.same(bodies(rest), ['m7'])
  t.equal(rest.hasMore, false)
  t.same((await page(app, alice.token, '?since=7')).body, { messages: [], hasMore: false, lastSeq: 7 })
})

t.test('the change feed carries edits and deletions after the cursor', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const [m1, m2, m3] = await sendMany(app, alice.token, 3)
  await app.inject({ method: 'PATCH', url: `/api/messages/${m1!}`, headers: bearer(alice.token), payload: { body: 'm1 edited' } })
  await app.inject({ method: 'DELETE', url: `/api/messages/${m2!}`, headers: bearer(alice.token) })
  const feed = (await page(app, alice.token, '?since=3')).body
  t.same(feed.messages.map((m: { id: string, seq: number, eventSeq: number, body: string }) => [m.id, m.seq, m.eventSeq, m.body]), [
    [m1, 1, 4, 'm1 edited'],
    [m2, 2, 5, '']
  ])
  t.equal(feed.lastSeq, 5)
  t.not(feed.messages[1].deletedAt, null)
  // History keeps each message at its seq; the tombstone keeps its place.
  const history = (await page(app, alice.token, '')).body
  t.same(history.messages.map((m: { id: string }) => m.id), [m1, m2, m3])
})

const badQueries: Array<[string, string]> = [
  ['limit 0', '?limit=0'],
  ['limit 101', '?limit=101'],
  ['a non-integer limit', '?limit=ten'],
  ['a fractional cursor', '?before=1.5'],
  ['a negative since', '?since=-1'],
  ['a non-integer since', '?since=abc'],
  ['before and since together', '?before=5&since=1'],
  ['an empty roomId', '?roomId=']
]
for (const [name, query] of badQueries) {
  t.test(`${name} is 400 validation`, async (t) => {
    const app = await build(t)
    const alice = await userWithToken(app, 'alice')
    const res = await page(app, alice.token, query)
    t.equal(res.status, 400)
    t.match(res.body, { statusCode: 400, code: 'validation', error: 'Bad Request' })
  })
}

t.test('another room\'s history is 404 for a non-member', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const room = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room
  await sendMany(app, alice.token, 2, room.id)
  for (const query of [`?roomId=${room.id}`, `?roomId=${room.id}&since=0`, `?roomId=${room.id}&before=3`, '?roomId=nope']) {
    const res = await page(app, carol.token, query)
    t.equal(res.status, 404, query)
    t.match(res.body, { code: 'not_found' })
  }
  t.same(bodies((await page(app, bob.token, `?roomId=${room.id}`)).body), ['m1', 'm2'], 'the member sees it')
})
