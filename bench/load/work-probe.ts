// The floor under every delivery: one durable single-row INSERT at a steady rate, in its own
// process, with nothing else of the product running in it. Every `message.new` waits for a commit,
// so no send → delivery latency can beat this one's tail on the same machine. PostgreSQL: the
// machine's server (a scratch table in the bench database); PGlite: a fresh database in a scratch
// directory (the server holds the benchmark's own data directory). Prints one JSON line of results.
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'

interface Args { databaseUrl: string | null, dataDir: string, rate: number, seconds: number }
const args = JSON.parse(process.argv[2]!) as Args

interface Committer {
  insert (body: string): Promise<unknown>
  close (): Promise<void>
}

async function open (): Promise<Committer> {
  const table = `commit_probe_${process.pid}`
  if (args.databaseUrl !== null) {
    const sql = postgres(args.databaseUrl, { max: 1, onnotice: () => {} })
    await sql.unsafe(`create table ${table} (id bigserial primary key, body text not null)`)
    return {
      insert: (body) => sql.unsafe(`insert into ${table} (body) values ($1)`, [body], { prepare: true }),
      async close () {
        await sql.unsafe(`drop table ${table}`)
        await sql.end()
      }
    }
  }
  const db = await PGlite.create({ dataDir: args.dataDir })
  await db.exec(`create table ${table} (id bigserial primary key, body text not null)`)
  return { insert: (body) => db.query(`insert into ${table} (body) values ($1)`, [body]), close: () => db.close() }
}

const committer = await open()
const body = 'x'.repeat(100)
const latencies: number[] = []
const warmup = 500

// Due by the clock, one at a time in order, as the room log commits them.
const interval = 1000 / args.rate
const begin = performance.now()
let issued = 0
let chain = Promise.resolve()
const timer = setInterval(() => {
  const due = Math.floor((performance.now() - begin) / interval)
  while (issued < due) {
    issued++
    const queued = performance.now()
    chain = chain.then(async () => {
      await committer.insert(body)
      // From when it was queued: a commit waiting behind a slow one is charged its wait.
      if (queued - begin > warmup) latencies.push(performance.now() - queued)
    })
  }
}, Math.max(1, Math.floor(interval / 2)))

await new Promise((resolve) => setTimeout(resolve, warmup + args.seconds * 1000))
clearInterval(timer)
await chain
await committer.close()
latencies.sort((a, b) => a - b)
const q = (p: number): number => latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
process.stdout.write(JSON.stringify({ commits: latencies.length, p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1] ?? 0 }) + '\n')
