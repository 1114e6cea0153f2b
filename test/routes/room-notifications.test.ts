import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { aliceAndBob, bearer, userWithToken } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'

interface RoomJson { id: string, kind: string, notify: string, mutedUntil: string | null }

const rooms = async (app: FastifyInstance, token: string): Promise<RoomJson[]> => (await app.inject({ url: '/api/rooms', headers: bearer(token) })).json().rooms
const setNotifications = (app: FastifyInstance, token: string, roomId: string, payload: unknown) =>
  app.inject({ method: 'PATCH', url: `/api/rooms/${roomId}/notifications`, headers: bearer(token), payload: payload as Record<string, unknown> })

t.test('every room starts notifying; each member changes only their own settings', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const [family] = await rooms(app, alice.token)
  t.match(family, { notify: 'all', mutedUntil: null })

  const silenced = await setNotifications(app, alice.token, family!.id, { notify: 'none' })
  t.equal(silenced.statusCode, 200)
  t.match(silenced.json().room, { id: family!.id, notify: 'none', mutedUntil: null, kind: 'group' }, 'answers the whole room')

  const until = '2030-01-02T03:04:05.000Z'
  const muted = await setNotifications(app, alice.token, family!.id, { mutedUntil: '2030-01-02T04:04:05+01:00' })
  t.match(muted.json().room, { notify: 'none', mutedUntil: until }, 'a field left out stays; the time is the same instant, in UTC')
  t.match((await rooms(app, alice.token))[0], { notify: 'none', mutedUntil: until }, 'kept')
  t.match((await rooms(app, bob.token))[0], { notify: 'all', mutedUntil: null }, 'bob\'s settings are his own')

  const back = await setNotifications(app, alice.token, family!.id, { notify: 'all', mutedUntil: null })
  t.match(back.json().room, { notify: 'all', mutedUntil: null })
  t.equal((await setNotifications(app, alice.token, family!.id, {})).statusCode, 200, 'nothing to change is not an error')
})

t.test('the settings come with the socket\'s ready too', async (t) => {
  const { app, alice } = await aliceAndBob(t)
  const [family] = await rooms(app, alice.token)
  await setNotifications(app, alice.token, family!.id, { notify: 'none' })
  const socket = await openSocket(app, alice.token)
  const { rooms: shown } = socket.ready.data as unknown as { rooms: RoomJson[] }
  t.match(shown[0], { notify: 'none', mutedUntil: null })
  socket.close()
})

t.test('bad settings are refused with 400 validation and change nothing', async (t) => {
  const { app, alice } = await aliceAndBob(t)
  const [family] = await rooms(app, alice.token)
  await setNotifications(app, alice.token, family!.id, { notify: 'none', mutedUntil: '2031-05-06T07:08:09.000Z' })
  const bad: Array<[string, unknown]> = [
    ['an unknown notify level', { notify: 'mentions' }],
    ['notify null', { notify: null }],
    ['a time without its offset', { mutedUntil: '2031-05-06T07:08:09' }],
    ['a date, not a time', { mutedUntil: '2031-05-06' }],
    ['words', { mutedUntil: 'in eight hours' }],
    ['a number', { mutedUntil: 8 }],
    ['not an object', ['all']]
  ]
  for (const [what, payload] of bad) {
    const res = await setNotifications(app, alice.token, family!.id, payload)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'validation', what)
  }
  t.match((await rooms(app, alice.token))[0], { notify: 'none', mutedUntil: '2031-05-06T07:08:09.000Z' }, 'unchanged')
  // As everywhere in the API, a field it does not know is dropped, and the rest applies.
  const extra = await setNotifications(app, alice.token, family!.id, { notify: 'all', sound: 'loud' })
  t.equal(extra.statusCode, 200)
  t.same(Object.keys(extra.json().room).includes('sound'), false)
  t.match(extra.json().room, { notify: 'all' })
})

t.test('a room I am not in, or that does not exist, is 404', async (t) => {
  const { app, alice, bob } = await aliceAndBob(t)
  const carol = await userWithToken(app, 'carol')
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(alice.token), payload: { userId: bob.id } })).json().room as RoomJson
  const res = await setNotifications(app, carol.token, direct.id, { notify: 'none' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'not_found')
  t.equal((await setNotifications(app, alice.token, '00000000-0000-4000-8000-000000000000', { notify: 'none' })).statusCode, 404)
  t.equal((await setNotifications(app, alice.token, 'family', { notify: 'none' })).statusCode, 404, 'not an id: no such room')
  t.equal((await app.inject({ method: 'PATCH', url: `/api/rooms/${direct.id}/notifications`, payload: { notify: 'none' } })).statusCode, 401)
  t.match((await rooms(app, alice.token)).find((r) => r.id === direct.id), { notify: 'all' }, 'nothing changed for the members')
})
