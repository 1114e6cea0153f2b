import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { aliceAndBob, bearer, build, selectRows, userWithToken } from '../helper.js'
import * as images from '../fixtures/images.js'
import { multipart } from '../fixtures/multipart.js'

const send = async (app: FastifyInstance, token: string, body: string, roomId?: string) =>
  (await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body, ...(roomId === undefined ? {} : { roomId }) } })).json().message
const search = (app: FastifyInstance, token: string, query: Record<string, string | number>) =>
  app.inject({ url: '/api/search', headers: bearer(token), query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) })
const found = async (app: FastifyInstance, token: string, q: string, extra: Record<string, string | number> = {}): Promise<string[]> => {
  const res = await search(app, token, { q, ...extra })
  if (res.statusCode !== 200) throw new Error(`search ${q}: ${res.statusCode} ${res.body}`)
  return res.json().messages.map((m: { body: string }) => m.body)
}

t.test('word prefixes, whatever the case and the accents', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  await send(app, alice.token, "Grandma's birthday is on Sunday")
  await send(app, bob.token, 'I will bring the crème brûlée')
  await send(app, alice.token, 'The ÉCOLE called')
  await send(app, bob.token, 'nothing to see here')
  t.same(await found(app, bob.token, 'gran'), ["Grandma's birthday is on Sunday"])
  t.same(await found(app, bob.token, 'GRANDMA'), ["Grandma's birthday is on Sunday"])
  t.same(await found(app, bob.token, 'creme brul'), ['I will bring the crème brûlée'])
  t.same(await found(app, bob.token, 'école'), ['The ÉCOLE called'])
  t.same(await found(app, bob.token, 'ecole'), ['The ÉCOLE called'])
  t.same(await found(app, bob.token, 'andma'), [], 'a prefix, not any substring')
})

t.test('every word must be there; newest first; a photo\'s caption counts', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  await send(app, alice.token, 'pizza on friday')
  await send(app, bob.token, 'pizza or pasta?')
  await send(app, alice.token, 'friday it is')
  const { payload, headers } = multipart({ body: 'pizza from friday' }, { bytes: await images.webp() })
  t.equal((await app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...headers, ...bearer(bob.token) }, payload })).statusCode, 201)
  t.same(await found(app, alice.token, 'pizza friday'), ['pizza from friday', 'pizza on friday'])
  t.same(await found(app, alice.token, 'piz'), ['pizza from friday', 'pizza or pasta?', 'pizza on friday'])
})

t.test('deleted messages never match; an edit is found by its new text only', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const gone = await send(app, alice.token, 'secret plans')
  const edited = await send(app, alice.token, 'meet at noon')
  await app.inject({ method: 'DELETE', url: `/api/messages/${gone.id}`, headers: bearer(alice.token) })
  await app.inject({ method: 'PATCH', url: `/api/messages/${edited.id}`, headers: bearer(alice.token), payload: { body: 'meet at dusk' } })
  t.same(await found(app, bob.token, 'secret'), [])
  t.same(await found(app, bob.token, 'noon'), [])
  t.same(await found(app, bob.token, 'dusk'), ['meet at dusk'])
})

t.test('only my rooms, or the one named; a room that is not mine is 404', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const theirs = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: carol.id } })).json().room
  const ours = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room
  await send(app, bob.token, 'surprise party for alice', theirs.id)
  const family = (await send(app, alice.token, 'party at home')).roomId
  await send(app, bob.token, 'party hats?', ours.id)
  t.same(await found(app, alice.token, 'party'), ['party hats?', 'party at home'])
  t.same(await found(app, alice.token, 'party', { roomId: family }), ['party at home'])
  t.same(await found(app, bob.token, 'party', { roomId: theirs.id }), ['surprise party for alice'])
  const res = await search(app, alice.token, { q: 'party', roomId: theirs.id })
  t.equal(res.statusCode, 404)
  t.match(res.json(), { statusCode: 404, code: 'not_found' })
})

t.test('pages follow one another with nextCursor: every match once, newest first, null at the end', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const sent: string[] = []
  for (let i = 0; i < 23; i++) sent.push((await send(app, i % 2 === 0 ? alice.token : bob.token, `holiday photo ${i}`)).id)
  await send(app, alice.token, 'unrelated')
  const seen: string[] = []
  let cursor: string | null = null
  const sizes: number[] = []
  do {
    const res = await search(app, bob.token, { q: 'holiday', limit: 10, ...(cursor === null ? {} : { cursor }) })
    t.equal(res.statusCode, 200)
    const body = res.json() as { messages: Array<{ id: string }>, nextCursor: string | null }
    sizes.push(body.messages.length)
    seen.push(...body.messages.map((m) => m.id))
    cursor = body.nextCursor
  } while (cursor !== null)
  t.same(sizes, [10, 10, 3])
  t.same(seen, [...sent].reverse())
  t.same((await search(app, bob.token, { q: 'holiday' })).json().messages.length, 20, 'limit defaults to 20')
})

t.test('search syntax in the query is only text', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  await send(app, alice.token, 'cats & dogs')
  for (const q of ['cats & dogs', "cats' | !dogs", 'cats:*', '!!!', "'", '(dogs', '<->', '\\']) {
    const res = await search(app, bob.token, { q })
    t.equal(res.statusCode, 200, q)
  }
  t.same(await found(app, bob.token, 'cats & dogs'), ['cats & dogs'])
  t.same(await found(app, bob.token, '(dogs'), ['cats & dogs'])
  t.same(await found(app, bob.token, '!!!'), [], 'no word: nothing found')
  // Cleaned as bodies are (a NUL cannot even reach PostgreSQL); what is left is searched.
  t.same(await found(app, bob.token, 'cats\u0000 dogs'), ['cats & dogs'])
})

const bad: Array<[string, Record<string, string | number>]> = [
  ['no q', {}],
  ['an empty q', { q: '' }],
  ['a blank q', { q: '   ' }],
  ['a q of only control characters', { q: '\u0000\u0001' }],
  ['a q over 200 characters', { q: 'a'.repeat(201) }],
  ['limit 0', { q: 'x', limit: 0 }],
  ['limit 51', { q: 'x', limit: 51 }],
  ['a non-numeric limit', { q: 'x', limit: 'ten' }],
  ['a cursor this server never gave', { q: 'x', cursor: 'not-a-cursor' }]
]
for (const [name, query] of bad) {
  t.test(`search with ${name} is 400 validation`, async (t) => {
    const { app, alice } = await aliceAndBob(t)
    const res = await search(app, alice.token, query)
    t.equal(res.statusCode, 400)
    t.match(res.json(), { statusCode: 400, code: 'validation' })
  })
}

t.test('search needs a token', async (t) => {
  const { app } = await aliceAndBob(t)
  const res = await app.inject({ url: '/api/search?q=x' })
  t.equal(res.statusCode, 401)
  t.match(res.json(), { code: 'unauthorized' })
})

t.test('the index takes a message\'s words as it is stored: no pending list for a later send to merge', async (t) => {
  const app = await build(t)
  t.same(await selectRows(app, sql`select array_to_string(reloptions, ',') as options from pg_class where relname = 'messages_search_idx'`), [{ options: 'fastupdate=off' }])
})
