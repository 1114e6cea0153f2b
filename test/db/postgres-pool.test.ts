import t from 'tap'
import postgres from 'postgres'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createPostgresPool, PROVEN_ON } from '../../db/postgres-pool.js'
import { freshPostgresDatabase, type TestContext } from '../helper.js'
import { startTcpProxy } from '../fixtures/tcp-proxy.js'
import { eventually } from '../fixtures/eventually.js'
import { PROJECT_ROOT } from '../../db/paths.js'

const baseUrl = process.env.DATABASE_URL

t.test('the drivers are the versions the pool\'s workarounds were proven on', async (t) => {
  // Upgrading either: re-read what drizzle uses of the client (db/postgres-pool.ts), run this file
  // against PostgreSQL, and move PROVEN_ON and the pins in package.json together.
  for (const [name, version] of Object.entries(PROVEN_ON)) {
    const installed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    t.equal(installed.version, version, name)
  }
})
const DEADLINE_MS = 500

/** A pool reaching a fresh database through a proxy the test can stall. */
async function pooledThroughProxy (t: TestContext) {
  const direct = await freshPostgresDatabase(t, baseUrl!)
  const url = new URL(direct)
  const proxy = await startTcpProxy(t, Number(url.port || 5432))
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  let replaced = 0
  const pool = createPostgresPool(url.toString(), { deadlineMs: DEADLINE_MS, onReplaced: () => { replaced++ } })
  t.teardown(() => pool.end())
  const selectOne = async (): Promise<'ok' | string> => {
    try {
      await pool.sql.unsafe('select 1')
      return 'ok'
    } catch (err) {
      return (err as { code?: string }).code ?? String(err)
    }
  }
  return { pool, proxy, selectOne, replaced: () => replaced, direct }
}

t.test('a pool serves again once the database is back, however its connections were left by the outage', { skip: baseUrl === undefined && 'needs DATABASE_URL' }, async (t) => {
  const { proxy, selectOne, replaced } = await pooledThroughProxy(t)
  t.equal(await selectOne(), 'ok')

  // Every connection is dropped and new ones are refused; queries keep coming meanwhile.
  proxy.cut()
  const whileDown: string[] = []
  for (let round = 0; round < 4; round++) whileDown.push(...await Promise.all(Array.from({ length: 12 }, selectOne)))
  t.same(whileDown.filter((code) => !['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'ECONNRESET', 'ECONNREFUSED'].includes(code)), [],
    'every query fails, at the deadline at the latest')

  // Connections that were reconnecting for queries cancelled at the deadline now get through:
  // postgres-js 3.4.9 leaves them stuck, so without a fresh pool nothing would answer again.
  proxy.restore()
  const after: string[] = []
  for (let i = 0; i < 5 && after.at(-1) !== 'ok'; i++) after.push(await selectOne())
  t.equal(after.at(-1), 'ok', `a query succeeds again (answers: ${after.join(', ')})`)
  // Twenty at once open new connections, each within the 500 ms deadline: on a loaded machine one
  // may miss it, so the state awaited is a whole batch answered — bounded, never sampled once.
  const batches: string[][] = []
  await eventually('a whole batch of 20 concurrent queries answered', async () => {
    const batch = await Promise.all(Array.from({ length: 20 }, selectOne))
    batches.push(batch.filter((answer) => answer !== 'ok'))
    return batch.every((answer) => answer === 'ok') ? true : undefined
  }, { timeoutMs: 15_000, everyMs: 100 })
  t.pass(`and every query after it (failures per batch until then: ${JSON.stringify(batches)})`)
  t.ok(replaced() >= 1, `the stuck pool was replaced (${replaced()} times)`)
})

t.test('a transaction given up at the deadline rolls back instead of committing later', { skip: baseUrl === undefined && 'needs DATABASE_URL' }, async (t) => {
  const { pool, direct } = await pooledThroughProxy(t)
  const observer = postgres(direct, { max: 1, onnotice: () => {} })
  t.teardown(() => observer.end())
  await observer.unsafe('create table notes (body text)')

  const late = pool.sql.begin(async (tx) => {
    // Held until the transaction ends, however it ends: the observer waits on it below.
    await tx.unsafe('select pg_advisory_xact_lock(42)')
    await tx.unsafe('select pg_sleep($1)', [DEADLINE_MS * 1.4 / 1000])
    await tx.unsafe("insert into notes values ('written after the caller gave up')")
  })
  await t.rejects(late, { code: 'CONNECT_TIMEOUT' }, 'the caller hears of the deadline')

  await observer.unsafe('select pg_advisory_xact_lock(42)')
  const [notes] = await observer.unsafe<[{ n: number }]>('select count(*)::int as n from notes')
  t.equal(notes.n, 0, 'nothing was committed')
})

t.test('a query given up while the database refuses new connections does not leave an unhandled rejection', { skip: baseUrl === undefined && 'needs DATABASE_URL' }, async (t) => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })
  const { pool, proxy, selectOne } = await pooledThroughProxy(t)
  t.equal(await selectOne(), 'ok')

  const slow = pool.sql.unsafe('select pg_sleep(2)').then(() => 'finished', (err: { code?: string }) => err.code)
  // The running query keeps its connection; the cancel request at the deadline cannot get through.
  proxy.refuseNew()
  const refused = proxy.nextRefusal()
  t.equal(await slow, 'CONNECT_TIMEOUT', 'given up at the deadline')
  await refused
  // The reset reaches the client's socket in a following turn; an unhandled rejection is reported
  // once the microtasks of the turn that made it have run.
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 1))
  t.same(unhandled.map(String), [], 'the failed cancel request is handled')
})
