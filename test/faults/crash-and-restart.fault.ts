import t, { type Test } from 'tap'
import { CLOSE } from '../../src/realtime/envelope.js'
import { freshPostgresDatabase, tempDir, TEST_SECRET, type TestContext } from '../helper.js'
import { servedFamily } from '../fixtures/served-family.js'
import { startServer, type ServerProcess } from '../fixtures/processes.js'
import { openSocketAt, type TestSocket } from '../fixtures/ws-client.js'

interface Setup { env: Record<string, string>, token: string, roomId: string }

async function setup (t: TestContext, driver: 'pglite' | 'postgres'): Promise<Setup> {
  const env: Record<string, string> = { DATA_DIR: tempDir(t), JWT_SECRET: TEST_SECRET, RATE_LIMIT_WS: '100000/s', RATE_LIMIT_API: '1000000/min' }
  if (driver === 'postgres') env.DATABASE_URL = await freshPostgresDatabase(t, process.env.DATABASE_URL!)
  // Log in once to learn the token and room, then leave the server down for the test to start.
  const { server, token, roomId } = await servedFamily(t, env)
  await server.stop('SIGKILL')
  return { env, token, roomId }
}

/** Sends over WebSocket and HTTP until stopped; records which clientIds were acknowledged. */
function traffic (server: ServerProcess, socket: TestSocket, s: Setup) {
  const acked = new Map<string, number>()
  const attempted: string[] = []
  const state = { running: true }
  const ws = (async () => {
    for (let i = 0; state.running; i++) {
      const clientId = `ws-${i}`
      attempted.push(clientId)
      const answer = await socket.request('message.send', { roomId: s.roomId, body: `ws ${i}`, clientId }).catch(() => null)
      if (answer?.type === 'ack') acked.set(clientId, answer.data.message!.seq as number)
      if (answer === null) return
    }
  })()
  const http = (async () => {
    for (let i = 0; state.running; i++) {
      const clientId = `http-${i}`
      attempted.push(clientId)
      const res = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body: `http ${i}`, clientId })
      }).catch(() => null)
      if (res === null) return
      if (res.status === 201) acked.set(clientId, ((await res.json()) as { message: { seq: number } }).message.seq)
    }
  })()
  return { acked, attempted, stop: async () => { state.running = false; await Promise.allSettled([ws, http]) } }
}

/** After a restart: every acked message is there, the log is 1..N, and resending everything duplicates nothing. */
async function verify (t: Test, server: ServerProcess, s: Setup, acked: Map<string, number>, attempted: string[]): Promise<void> {
  const socket = await openSocketAt(server.url.replace('http:', 'ws:'), s.token)
  const stored = new Map<string, { seq: number, eventSeq: number }>()
  let since = 0
  for (;;) {
    const page = await socket.request('sync', { roomId: s.roomId, since, limit: 100 })
    const list = page.data.messages as Array<{ clientId: string, seq: number, eventSeq: number }>
    for (const m of list) stored.set(m.clientId, m)
    if (list.length > 0) since = list[list.length - 1]!.eventSeq
    if (page.data.hasMore !== true) break
  }
  const missing = [...acked.keys()].filter((id) => !stored.has(id))
  t.same(missing, [], `all ${acked.size} acked messages survived`)
  const seqs = [...stored.values()].map((m) => m.seq).sort((a, b) => a - b)
  t.same(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `the room log is 1..${seqs.length}, no gap`)
  for (const [clientId, seq] of acked) {
    if (stored.get(clientId)!.seq !== seq) t.fail(`${clientId} moved from ${seq}`)
  }
  // Clients retry everything they are unsure of, with the same clientIds.
  for (const clientId of attempted) {
    await socket.request('message.send', { roomId: s.roomId, body: `retry ${clientId}`, clientId })
  }
  const after = await socket.request('sync', { roomId: s.roomId, since: 0, limit: 1 })
  t.equal(after.data.lastSeq, new Set(attempted).size, 'exactly one message per clientId, no duplicates')
  await socket.close()
}

const drivers: Array<'pglite' | 'postgres'> = process.env.DATABASE_URL === undefined ? ['pglite'] : ['pglite', 'postgres']
for (const driver of drivers) {
  t.test(`${driver}: kill -9 mid-traffic loses nothing that was acked`, async (t) => {
    const s = await setup(t, driver)
    let server = await startServer(t, s.env)
    const socket = await openSocketAt(server.url.replace('http:', 'ws:'), s.token)
    const load = traffic(server, socket, s)
    // Kill once a good amount has been acknowledged.
    while (load.acked.size < 300) await socket.next('message.new')
    await server.stop('SIGKILL')
    await load.stop()
    t.ok(load.acked.size >= 300, `${load.acked.size} acked before the kill`)
    server = await startServer(t, s.env)
    await verify(t, server, s, load.acked, load.attempted)
  })

  t.test(`${driver}: SIGTERM under load acks what it received, closes with 1001, loses nothing`, async (t) => {
    const s = await setup(t, driver)
    let server = await startServer(t, s.env)
    const socket = await openSocketAt(server.url.replace('http:', 'ws:'), s.token)
    const load = traffic(server, socket, s)
    while (load.acked.size < 200) await socket.next('message.new')
    const code = await server.stop('SIGTERM')
    t.equal(code, 0, 'a clean exit')
    t.equal((await socket.closed).code, CLOSE.goingAway)
    await load.stop()
    server = await startServer(t, s.env)
    await verify(t, server, s, load.acked, load.attempted)
  })
}
