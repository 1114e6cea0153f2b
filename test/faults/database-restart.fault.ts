import t from 'tap'
import { tempDir, TEST_SECRET } from '../helper.js'
import { servedFamily } from '../fixtures/served-family.js'
import { canRunPrivatePostgres, startPrivatePostgres } from '../fixtures/private-postgres.js'
import { openSocketAt } from '../fixtures/ws-client.js'

// Longer than the server's 5 s query deadline: a request still unanswered by then is hanging.
const HANG_MS = 15_000
const UNAVAILABLE = { statusCode: 503, code: 'internal', error: 'Service Unavailable', message: 'The database is unavailable; try again shortly' }

// Far beyond anything a working server needs; past it, the test fails with the server's log.
const STUCK_MS = 60_000

/** Resolves once `predicate` holds, re-checked whenever `poke` is called; rejects past STUCK_MS. */
function waiter (logs: string[]) {
  const waiting: Array<{ predicate: () => boolean, resolve: () => void }> = []
  return {
    until (predicate: () => boolean, what: string): Promise<void> {
      if (predicate()) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not within ${STUCK_MS / 1000} s: ${what}; the server's last log lines:\n${logs.slice(-40).join('\n')}`)), STUCK_MS)
        waiting.push({ predicate, resolve: () => { clearTimeout(timer); resolve() } })
      })
    },
    poke (): void {
      for (const w of waiting.filter((w) => w.predicate())) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve()
      }
    }
  }
}

t.test('PostgreSQL stopped and started under load: fail fast, 503, recover alone, lose nothing acked', { skip: !canRunPrivatePostgres() && 'needs Debian\'s PostgreSQL binaries and root' }, async (t) => {
  const pg = await startPrivatePostgres(t)
  const env = { DATA_DIR: tempDir(t), JWT_SECRET: TEST_SECRET, DATABASE_URL: pg.url, RATE_LIMIT_WS: '100000/s', RATE_LIMIT_API: '1000000/min' }
  const { server, token, roomId } = await servedFamily(t, env)
  const socket = await openSocketAt(server.url.replace('http:', 'ws:'), token)

  let phase: 'up' | 'down' | 'back' = 'up'
  const traffic = { running: true }
  const acked = { up: 0, down: 0, back: 0 }
  const ackedIds = new Set<string>()
  const failedIds = new Set<string>()
  const failedWhileDown: string[] = []
  const unclean: string[] = []
  const hung: string[] = []
  const progress = waiter(server.logs)

  const settle = (clientId: string, ok: boolean, clean: boolean, what: string) => {
    if (ok) {
      ackedIds.add(clientId)
      acked[phase]++
    } else {
      failedIds.add(clientId)
      if (phase === 'down') failedWhileDown.push(clientId)
      if (!clean) unclean.push(`${clientId}: ${what}`)
    }
    progress.poke()
  }

  // Four HTTP senders and one WebSocket sender, each sending as fast as it is answered.
  const httpSender = async (k: number) => {
    for (let i = 0; traffic.running; i++) {
      const clientId = `http-${k}-${i}`
      try {
        const res = await fetch(`${server.url}/api/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ body: clientId, clientId }),
          signal: AbortSignal.timeout(HANG_MS)
        })
        const body = await res.json() as Record<string, unknown>
        settle(clientId, res.status === 201, res.status === 503 && JSON.stringify(body) === JSON.stringify(UNAVAILABLE), `${res.status} ${JSON.stringify(body)}`)
      } catch (err) {
        hung.push(`${clientId}: ${String(err)}`)
        failedIds.add(clientId)
      }
    }
  }
  const wsSender = async () => {
    for (let i = 0; traffic.running; i++) {
      const clientId = `ws-${i}`
      let timer: NodeJS.Timeout | undefined
      const answer = await Promise.race([
        socket.request('message.send', { roomId, body: clientId, clientId }),
        new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), HANG_MS) })
      ])
      clearTimeout(timer)
      if (answer === null) {
        hung.push(clientId)
        failedIds.add(clientId)
        continue
      }
      const code = (answer.data as { code?: string }).code
      settle(clientId, answer.type === 'ack', answer.type === 'error' && code === 'internal', JSON.stringify(answer))
    }
  }
  const senders = [0, 1, 2, 3].map(httpSender).concat(wsSender())

  await progress.until(() => acked.up >= 100, 'sends succeed before the restart')
  await pg.stop()
  phase = 'down'
  // Every request is answered, fast and clean, while the database is gone.
  await progress.until(() => failedWhileDown.length >= 40, 'sends are refused while the database is down')
  const ready = await fetch(`${server.url}/ready`, { signal: AbortSignal.timeout(HANG_MS) })
  t.equal(ready.status, 503, '/ready says the database is down')
  t.equal((await fetch(`${server.url}/health`)).status, 200, 'the process itself is up')

  await pg.start()
  phase = 'back'
  // The server reconnects by itself: sends succeed again without restarting it.
  await progress.until(() => acked.back >= 100, 'sends succeed again after the restart')
  traffic.running = false
  await Promise.all(senders)
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(`the server exited (${server.child.exitCode ?? server.child.signalCode}); its last log lines:\n${server.logs.slice(-40).join('\n')}`)
  }
  t.equal((await fetch(`${server.url}/ready`)).status, 200, '/ready is 200 again')

  t.same(hung, [], 'no request hung')
  t.same(unclean, [], 'every failure was a clean 503 / error internal')
  t.ok(failedWhileDown.length >= 40, `${failedWhileDown.length} requests refused while the database was down`)

  // Clients retry what failed with the same clientId: a write cancelled by the deadline may have
  // been committed after all; the retry answers with it instead of storing it twice.
  for (const clientId of failedIds) {
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: clientId, clientId })
    })
    t.ok(res.status === 200 || res.status === 201, `retry of ${clientId}`)
  }

  const stored: Array<{ clientId: string, seq: number }> = []
  for (let since = 0, more = true; more;) {
    const page = await socket.request('sync', { roomId, since, limit: 100 })
    const messages = page.data.messages as Array<{ clientId: string, seq: number, eventSeq: number }>
    stored.push(...messages)
    more = page.data.hasMore as boolean
    since = messages.at(-1)?.eventSeq ?? since
  }
  const storedIds = stored.map((m) => m.clientId)
  t.same([...ackedIds].filter((id) => !storedIds.includes(id)), [], `all ${ackedIds.size} acked messages are there`)
  t.equal(new Set(storedIds).size, storedIds.length, 'no message stored twice')
  t.equal(stored.length, ackedIds.size + failedIds.size, 'every message sent, acked or retried, stored exactly once')
  t.same(stored.map((m) => m.seq), Array.from({ length: stored.length }, (_, i) => i + 1), 'no gap in the room log')
  t.comment(`acked before/during/after the outage: ${acked.up}/${acked.down}/${acked.back}; refused while down: ${failedWhileDown.length}; retried: ${failedIds.size}; stored: ${stored.length}`)
  await socket.close()
})
