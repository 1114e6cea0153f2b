// `npm run bench`: Family Chat beside references measured in the same run on the same machine —
// a bare Fastify hello-world for HTTP, a bare `ws` broadcast server for fan-out — as ratios.
// Loopback only, bounded in time, every load generator in its own process. Prints a table and
// writes bench/results/latest.json. BENCH_DB=pglite|postgres picks one database (default: both).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import postgres from 'postgres'
import { PROJECT_ROOT } from '../src/paths.js'
import { seed } from './seed.js'

const TSX = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5)
const WS_SECONDS = Number(process.env.BENCH_WS_SECONDS ?? 4)
const PG_BASE = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test'
// A benchmark of thousands of messages per second from a few sockets is not a family: limits raised.
const RAISED_LIMITS = { RATE_LIMIT_LOGIN: '100000/min', RATE_LIMIT_API: '10000000/min', RATE_LIMIT_WS: '1000000/s' }

interface Row { db: string, scenario: string, product: Record<string, number>, reference: Record<string, number>, ratio: number, unit: string }
const rows: Row[] = []
let step = 0

const progress = (text: string): void => { process.stderr.write(`[bench ${++step}] ${text}\n`) }

interface Proc { child: ChildProcess, port: number }

async function spawnServer (script: string, env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', TSX, join(PROJECT_ROOT, script)], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /LISTENING (\d+)|Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)
      if (match !== null) resolve(Number(match[1] ?? match[2]))
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))
  })
  return { child, port }
}

async function stop (proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null) return
  const exited = once(proc.child, 'exit')
  proc.child.kill('SIGTERM')
  await exited
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function usage (pid: number): { cpu: number, rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const ticks = Number(stat[11]) + Number(stat[12])
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
  return { cpu: ticks / 100, rss }
}

async function runJson (args: string[], input?: string): Promise<Record<string, number>> {
  const child = spawn(args[0]!, args.slice(1), { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString() })
  if (input !== undefined) child.stdin!.end(input)
  await once(child, 'exit')
  const line = out.trim().split('\n').pop() ?? '{}'
  return JSON.parse(line) as Record<string, number>
}

async function autocannon (url: string, options: { method?: string, body?: string, token?: string }): Promise<Record<string, number>> {
  const args = [join(PROJECT_ROOT, 'node_modules', '.bin', 'autocannon'), '-j', '-c', '32', '-d', String(HTTP_SECONDS)]
  if (options.method !== undefined) args.push('-m', options.method)
  if (options.body !== undefined) args.push('-b', options.body, '-H', 'content-type=application/json')
  if (options.token !== undefined) args.push('-H', `authorization=Bearer ${options.token}`)
  args.push(url)
  const result = await runJson(args) as unknown as { requests: { average: number }, latency: { p50: number, p99: number }, non2xx: number, errors: number }
  return { reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }
}

async function wsLoad (serverPid: number, args: Record<string, unknown>): Promise<Record<string, number>> {
  const before = usage(serverPid)
  const started = Date.now()
  const result = await runJson([process.execPath, '--import', TSX, join(PROJECT_ROOT, 'bench/load/ws-load.ts'), JSON.stringify(args)])
  const after = usage(serverPid)
  return { ...result, serverCpu: (after.cpu - before.cpu) / ((Date.now() - started) / 1000), serverRssMb: after.rss / 1048576 }
}

async function idleRss (serverPid: number, args: Record<string, unknown>): Promise<number> {
  const before = usage(serverPid).rss
  const child = spawn(process.execPath, ['--import', TSX, join(PROJECT_ROOT, 'bench/load/ws-load.ts'), JSON.stringify({ ...args, idle: true })], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once('line', () => resolve()))
  // Let the server settle the new sockets' allocations before reading its RSS.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const after = usage(serverPid).rss
  child.stdin!.end('done\n')
  await once(child, 'exit')
  return (after - before) / (args.sockets as number)
}

async function benchDatabase (db: 'pglite' | 'postgres'): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'family-chat-bench-'))
  const secret = randomBytes(32).toString('hex')
  let databaseUrl: string | null = null
  let dropDb: (() => Promise<void>) | undefined
  if (db === 'postgres') {
    const name = `fc_bench_${randomBytes(4).toString('hex')}`
    const admin = postgres(PG_BASE, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    await admin.end()
    const url = new URL(PG_BASE)
    url.pathname = `/${name}`
    databaseUrl = url.toString()
    dropDb = async () => {
      const cleanup = postgres(PG_BASE, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    }
  }
  const procs: Proc[] = []
  try {
    progress(`${db}: seeding 300 users and 100,000 messages`)
    const seeded = await seed({ databaseUrl, dataDir, users: 300, messages: 100_000, secret })
    const tokensFile = join(dataDir, 'bench-tokens.json')
    writeFileSync(tokensFile, JSON.stringify(seeded.tokens))
    const product = await spawnServer('src/server.ts', {
      DATA_DIR: dataDir,
      JWT_SECRET: secret,
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl }),
      ...RAISED_LIMITS
    })
    procs.push(product)
    const refHttp = await spawnServer('bench/servers/reference-http.ts', {})
    const refWs = await spawnServer('bench/servers/reference-ws.ts', {})
    procs.push(refHttp, refWs)
    const base = `http://127.0.0.1:${product.port}`
    const token = seeded.tokens[0]!

    progress(`${db}: HTTP reference (bare Fastify hello JSON)`)
    const reference = await autocannon(`http://127.0.0.1:${refHttp.port}/hello`, {})
    const http: Array<[string, string, Parameters<typeof autocannon>[1]]> = [
      ['GET /health', '/health', {}],
      ['GET /api/messages (50 of 100,000)', '/api/messages?limit=50', { token }],
      ['POST /api/messages', '/api/messages', { method: 'POST', body: JSON.stringify({ body: 'a benchmark message of about one hundred bytes, committed before the answer...' }), token }]
    ]
    for (const [scenario, path, options] of http) {
      progress(`${db}: HTTP ${scenario}`)
      const result = await autocannon(`${base}${path}`, options)
      rows.push({ db, scenario: `http ${scenario}`, product: result, reference, ratio: result.reqPerSec! / reference.reqPerSec!, unit: 'req/s' })
    }

    for (const sockets of [10, 100, 1000]) {
      const senders = Math.min(5, sockets)
      for (const rate of [sockets === 1000 ? 20 : 200, 0]) {
        const label = rate === 0 ? 'saturation' : `${rate} msg/s`
        progress(`${db}: fan-out N=${sockets}, ${label}, bare ws`)
        const bare = await wsLoad(refWs.child.pid!, { url: `ws://127.0.0.1:${refWs.port}`, mode: 'bare', sockets, senders, rate, seconds: WS_SECONDS })
        progress(`${db}: fan-out N=${sockets}, ${label}, Family Chat`)
        const ours = await wsLoad(product.child.pid!, { url: `ws://127.0.0.1:${product.port}`, mode: 'product', sockets, senders, rate, seconds: WS_SECONDS, tokensFile, roomId: seeded.roomId })
        rows.push({ db, scenario: `fan-out N=${sockets} ${label}`, product: ours, reference: bare, ratio: ours.deliveredPerSec! / bare.deliveredPerSec!, unit: 'delivered/s' })
      }
    }

    for (const sockets of [1000, 5000]) {
      progress(`${db}: ${sockets} idle sockets`)
      const bare = await idleRss(refWs.child.pid!, { url: `ws://127.0.0.1:${refWs.port}`, mode: 'bare', sockets, senders: 0, rate: 0, seconds: 0 })
      const ours = await idleRss(product.child.pid!, { url: `ws://127.0.0.1:${product.port}`, mode: 'product', sockets, senders: 0, rate: 0, seconds: 0, tokensFile, roomId: seeded.roomId })
      rows.push({ db, scenario: `idle sockets ${sockets}`, product: { bytesPerSocket: ours }, reference: { bytesPerSocket: bare }, ratio: ours / bare, unit: 'RSS bytes/socket' })
    }
  } finally {
    for (const proc of procs) await stop(proc)
    await dropDb?.()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const fmt = (n: number | undefined, digits = 0): string => n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const which = process.env.BENCH_DB
for (const db of ['pglite', 'postgres'] as const) {
  if (which !== undefined && which !== db) continue
  await benchDatabase(db)
}

const lines = [
  '',
  `Family Chat benchmark — ${new Date().toISOString()} — Node ${process.version}, loopback, limits raised (${Object.values(RAISED_LIMITS).join(', ')})`,
  'ratio = Family Chat / reference measured in the same run (bare Fastify hello JSON for HTTP; bare ws broadcast, no auth, no persistence, for fan-out).',
  '',
  'db        scenario                                  unit              Family Chat    reference   ratio   p50/p99/max ms (ours | ref)        server CPU, RSS',
  ...rows.map((r) => {
    const main = r.unit === 'req/s' ? r.product.reqPerSec : r.unit === 'delivered/s' ? r.product.deliveredPerSec : r.product.bytesPerSocket
    const ref = r.unit === 'req/s' ? r.reference.reqPerSec : r.unit === 'delivered/s' ? r.reference.deliveredPerSec : r.reference.bytesPerSocket
    const lat = r.unit === 'RSS bytes/socket'
      ? ''
      : r.unit === 'req/s'
        ? `${fmt(r.product.p50)}/${fmt(r.product.p99)} | ${fmt(r.reference.p50)}/${fmt(r.reference.p99)}`
        : `${fmt(r.product.p50, 1)}/${fmt(r.product.p99, 1)}/${fmt(r.product.max, 0)} | ${fmt(r.reference.p50, 1)}/${fmt(r.reference.p99, 1)}/${fmt(r.reference.max, 0)}`
    const server = r.unit === 'delivered/s' ? `${fmt(r.product.serverCpu, 2)} cores, ${fmt(r.product.serverRssMb)} MB` : ''
    return `${r.db.padEnd(9)} ${r.scenario.padEnd(41)} ${r.unit.padEnd(17)} ${fmt(main).padStart(11)} ${fmt(ref).padStart(12)} ${r.ratio.toFixed(2).padStart(7)}   ${lat.padEnd(34)} ${server}`
  })
]
process.stdout.write(lines.join('\n') + '\n')
mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true })
const json = JSON.stringify({ at: new Date().toISOString(), node: process.version, limits: RAISED_LIMITS, rows }, null, 2)
writeFileSync(join(PROJECT_ROOT, 'bench', 'results', 'latest.json'), json)
process.stderr.write('wrote bench/results/latest.json\n')
