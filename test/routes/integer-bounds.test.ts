import t from 'tap'
import { bearer, build, userWithToken } from '../helper.js'
import { openSocket } from '../fixtures/ws-client.js'

const MAX = 2 ** 31 - 1
const OVER = ['2147483648', '99999999999999999999', '1e300']

t.test('an integer past 2^31−1 is 400 validation over HTTP and WS, never a 500, and moves nothing', async (t) => {
  const app = await build(t)
  const alice = await userWithToken(app, 'alice')
  const sent = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { body: 'hi' } })
  const { roomId } = sent.json().message as { roomId: string }
  const readSeq = async (): Promise<number> => ((await app.inject({ url: '/api/rooms', headers: bearer(alice.token) })).json().rooms as Array<{ lastReadSeq: number }>)[0]!.lastReadSeq
  const before = await readSeq()

  for (const value of OVER) {
    for (const param of ['since', 'before']) {
      const res = await app.inject({ url: `/api/messages?${param}=${value}`, headers: bearer(alice.token) })
      t.equal(res.statusCode, 400, `${param}=${value}`)
      t.equal(res.json().code, 'validation')
    }
    const read = await app.inject({ method: 'POST', url: `/api/rooms/${roomId}/read`, headers: { ...bearer(alice.token), 'content-type': 'application/json' }, payload: `{"seq":${value}}` })
    t.equal(read.statusCode, 400, `read seq ${value}`)
    t.equal(read.json().code, 'validation')
  }
  t.equal((await app.inject({ url: `/api/messages?since=${MAX}`, headers: bearer(alice.token) })).statusCode, 200, '2^31−1 itself is fine')

  const socket = await openSocket(app, alice.token)
  for (const value of [2 ** 31, 1e20]) {
    const sync = await socket.request('sync', { roomId, since: value })
    t.match(sync, { type: 'error', data: { code: 'validation' } }, `WS sync since ${value}`)
    const read = await socket.request('read', { roomId, seq: value })
    t.match(read, { type: 'error', data: { code: 'validation' } }, `WS read seq ${value}`)
  }
  t.equal(await readSeq(), before, 'the read marker did not move')
  t.equal((await socket.request('ping', {})).type, 'pong', 'the socket stays open')
})
