import t from 'tap'
import { tempDir, TEST_SECRET } from '../helper.js'
import { servedFamily } from '../fixtures/served-family.js'
import { canRunPrivatePostgres, startPrivatePostgres } from '../fixtures/private-postgres.js'
import { openSocketAt } from '../fixtures/ws-client.js'

t.test('PostgreSQL stopped and started: fail fast, 503, recover alone, lose nothing acked', { skip: !canRunPrivatePostgres() && 'needs Debian\'s PostgreSQL binaries and root' }, async (t) => {
  const pg = await startPrivatePostgres(t)
  const env = { DATA_DIR: tempDir(t), JWT_SECRET: TEST_SECRET, DATABASE_URL: pg.url, RATE_LIMIT_WS: '100000/s', RATE_LIMIT_API: '1000000/min' }
  const { server, token, roomId } = await servedFamily(t, env)
  const socket = await openSocketAt(server.url.replace('http:', 'ws:'), token)
  const acked = new Set<string>()
  const send = async (clientId: string) => {
    const answer = await socket.request('message.send', { roomId, body: clientId, clientId })
    if (answer.type === 'ack') acked.add(clientId)
    return answer
  }
  for (let i = 0; i < 50; i++) await send(`before-${i}`)

  await pg.stop()
  // Every request gets an answer — no hanging — and it is a clean one.
  const http = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'while down', clientId: 'down-http' }),
    signal: AbortSignal.timeout(15_000)
  })
  t.equal(http.status, 503)
  t.same(await http.json(), { statusCode: 503, code: 'internal', error: 'Service Unavailable', message: 'The database is unavailable; try again shortly' })
  const ready = await fetch(`${server.url}/ready`, { signal: AbortSignal.timeout(15_000) })
  t.equal(ready.status, 503)
  const wsDown = await send('down-ws')
  t.match(wsDown, { type: 'error', data: { code: 'internal' } })
  t.equal((await fetch(`${server.url}/health`)).status, 200, 'the process itself is up')

  await pg.start()
  // The server reconnects by itself: the first request after the restart works.
  let after
  for (let attempt = 0; attempt < 50; attempt++) {
    after = await send('after-0')
    if (after.type === 'ack') break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.equal(after?.type, 'ack', 'recovered without a restart of the server')
  for (let i = 1; i < 20; i++) t.equal((await send(`after-${i}`)).type, 'ack')
  t.equal((await fetch(`${server.url}/ready`)).status, 200)

  const page = await socket.request('sync', { roomId, since: 0, limit: 100 })
  const stored = page.data.messages as Array<{ clientId: string, seq: number }>
  t.same([...acked].filter((id) => !stored.some((m) => m.clientId === id)), [], `all ${acked.size} acked messages are there`)
  t.same(stored.map((m) => m.seq), Array.from({ length: stored.length }, (_, i) => i + 1), 'no gap in the room log')
  t.notOk(stored.some((m) => m.clientId === 'down-ws' || m.clientId === 'down-http'), 'what failed was not stored')
  await socket.close()
})
