// Floors under every delivery, in a process of their own with nothing of the product in it. `commit`:
// one durable single-row INSERT (PostgreSQL: the machine's server, a scratch table in the bench
// database; PGlite: a fresh database in a scratch directory, the server holding the bench's own).
// Every `message.new` waits for a commit, so no send → delivery latency can beat its tail. `json`:
// a fixed piece of pure JavaScript (a JSON round trip of about 0.1 ms), no I/O at all.
// At a rate, each piece is due by the clock, one at a time in order, as the room log commits them;
// at rate 0 each starts as the previous one ends, so its code and data are still in the CPU's
// caches: the two side by side say what a pause between messages costs on this machine.
// Prints one JSON line of results.
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'

interface Args { work: 'commit' | 'json', databaseUrl: string | null, dataDir: string, rate: number, seconds: number }
const args = JSON.parse(process.argv[2]!) as Args

interface Work {
  run (): Promise<unknown>
  close (): Promise<void>
}

const BODY = 'x'.repeat(100)

async function openCommit (): Promise<Work> {
  const table = `commit_probe_${process.pid}`
  if (args.databaseUrl !== null) {
    const sql = postgres(args.databaseUrl, { max: 1, onnotice: () => {} })
    await sql.unsafe(`create table ${table} (id bigserial primary key, body text not null)`)
    return {
      run: () => sql.unsafe(`insert into ${table} (body) values ($1)`, [BODY], { prepare: true }),
      async close () {
        await sql.unsafe(`drop table ${table}`)
        await sql.end()
      }
    }
  }
  const db = await PGlite.create({ dataDir: args.dataDir })
  await db.exec(`create table ${table} (id bigserial primary key, body text not null)`)
  return { run: () => db.query(`insert into ${table} (body) values ($1)`, [BODY]), close: () => db.close() }
}

function openJson (): Work {
  const value = Array.from({ length: 200 }, (_, i) => ({ i, name: `member ${i}`, seen: i % 2 === 0 }))
  return {
    run: async () => JSON.parse(JSON.stringify(value)) as unknown,
    close: async () => {}
  }
}

const work = args.work === 'commit' ? await openCommit() : openJson()
const latencies: number[] = []
const warmup = 500
const begin = performance.now()
const done = warmup + args.seconds * 1000

if (args.rate === 0) {
  while (performance.now() - begin < done) {
    const started = performance.now()
    await work.run()
    if (started - begin > warmup) latencies.push(performance.now() - started)
  }
} else {
  const interval = 1000 / args.rate
  let issued = 0
  let chain = Promise.resolve()
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - begin) / interval)
    while (issued < due) {
      issued++
      const queued = performance.now()
      chain = chain.then(async () => {
        await work.run()
        // From when it was queued: a piece waiting behind a slow one is charged its wait.
        if (queued - begin > warmup) latencies.push(performance.now() - queued)
      })
    }
  }, Math.max(1, Math.floor(interval / 2)))
  await new Promise((resolve) => setTimeout(resolve, done))
  clearInterval(timer)
  await chain
}
await work.close()
latencies.sort((a, b) => a - b)
const q = (p: number): number => latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
process.stdout.write(JSON.stringify({ runs: latencies.length, p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1] ?? 0 }) + '\n')
