// `npm run bench`: Family Chat beside references measured in the same run on the same machine —
// a bare Fastify hello-world for HTTP, a bare `ws` broadcast server for fan-out — as ratios.
// Loopback only, bounded in time, every load generator in its own process. Prints a table and
// writes bench/results/latest.json. BENCH_DB=pglite|postgres picks one database (default: both).
import { spawn, type ChildProcess } from 'node:child_process'
import { createECDH, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import postgres from 'postgres'
import { PROJECT_ROOT } from '../db/paths.js'
import { freePort } from '../test/fixtures/ports.js'
import { measureStart } from './footprint.js'
import { seed } from './seed.js'

// Everything runs compiled, as `npm start` runs the product: `npm run bench` builds dist/ first.
const built = (source: string): string => join(PROJECT_ROOT, 'dist', source.replace(/\.ts$/, '.js'))
/** The server as `npm start` runs it: its bundle (scripts/bundle-server.mjs). */
const PRODUCT = join(PROJECT_ROOT, 'dist', 'bundle', 'server.js')
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 5)
const WS_SECONDS = Number(process.env.BENCH_WS_SECONDS ?? 4)
const PARTS = new Set((process.env.BENCH_PARTS ?? 'footprint,http,logins,fanout,fairness,push,idle').split(','))
// Fan-out subsets, for profiling one scenario: BENCH_SOCKETS=100 BENCH_LOADS=moderate.
// N = 1 (at a fixed rate only) is the path of one message without the fan-out.
const SOCKETS = (process.env.BENCH_SOCKETS ?? '1,10,100,1000').split(',').map(Number)
const LOADS = new Set((process.env.BENCH_LOADS ?? 'moderate,saturation').split(','))
// Runs compared by their tail or against a twin (fixed-rate fan-out, fairness, pushes) alternate this many times, medians compared.
const FIXED_RATE_PAIRS = Number(process.env.BENCH_FIXED_RATE_PAIRS ?? 3)
// BENCH_PROFILE=<dir>: each product process writes a CPU profile there as it stops (`--cpu-prof`).
// BENCH_NODE_ARGS="--trace-gc …": more flags for the product processes, to see what a run's tail holds.
const PROFILE_ARGS = [
  ...(process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]),
  ...(process.env.BENCH_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [])
]
const PG_BASE = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test'
// A benchmark of thousands of messages per second from a few sockets is not a family: limits raised.
const RAISED_LIMITS = { RATE_LIMIT_LOGIN: '100000/min', RATE_LIMIT_API: '10000000/min', RATE_LIMIT_WS: '1000000/s' }

type Figures = Record<string, number>
type Unit = 'req/s' | 'delivered/s' | 'p99 ms' | 'send → delivery p99 ms' | 'RSS bytes/socket' | 'ready ms' | 'idle MiB'
interface Row { db: string, scenario: string, product: Figures, reference: Figures, ratio: number, unit: Unit }
const rows: Row[] = []
/** Latency floors of this machine, measured in the same run (no reference: they are the reference). */
interface Floor { db: string, what: string, p50: number, p99: number, max: number }
const floors: Floor[] = []

const fmt = (n: number | undefined, digits = 0): string => n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })

const signed = (n: number): string => n >= 0 ? `+${fmt(n)}` : fmt(n)

/** Per unit: the figure compared (the ratio is ours / the reference's), latency detail, server detail. */
const UNITS: Record<Unit, { figure (f: Figures): number | undefined, digits?: number, detail (ours: Figures, ref: Figures): string, server (ours: Figures, ref: Figures): string }> = {
  'req/s': {
    figure: (f) => f.reqPerSec,
    detail: (o, r) => `${fmt(o.p50)}/${fmt(o.p99)} | ${fmt(r.p50)}/${fmt(r.p99)}`,
    server: () => ''
  },
  'p99 ms': {
    figure: (f) => f.p99,
    detail: (o, r) => `${fmt(o.p50, 1)}/${fmt(o.p99, 1)} | ${fmt(r.p50, 1)}/${fmt(r.p99, 1)}`,
    server: (o) => o.loginsPerSec !== undefined
      ? `${fmt(o.loginsPerSec)} logins/s, login p99 ${fmt(o.loginP99)} ms`
      : `${fmt(o.pagesPerSec)} pages/s served, ${fmt(o.refused)} refused`
  },
  'send → delivery p99 ms': {
    figure: (f) => f.p99,
    digits: 1,
    detail: (o, r) => `${fmt(o.p50, 1)}/${fmt(o.p99, 1)}/${fmt(o.max, 0)} | ${fmt(r.p50, 1)}/${fmt(r.p99, 1)}/${fmt(r.max, 0)}`,
    server: () => `median of ${FIXED_RATE_PAIRS} alternating runs each`
  },
  'delivered/s': {
    figure: (f) => f.deliveredPerSec,
    detail: (o, r) => `${fmt(o.p50, 1)}/${fmt(o.p99, 1)}/${fmt(o.max, 0)} | ${fmt(r.p50, 1)}/${fmt(r.p99, 1)}/${fmt(r.max, 0)}`,
    server: (o, r) => `${fmt(o.serverCpu, 2)} cores, ${fmt(o.serverRssMb)} MB; generator ${fmt(o.generatorCpu, 2)} | ${fmt(r.generatorCpu, 2)} cores`
  },
  'RSS bytes/socket': {
    figure: (f) => f.bytesPerSocket,
    detail: (o, r) => `heap+external ${fmt(o.heapPerSocket)} | ${fmt(r.heapPerSocket)} B`,
    server: () => ''
  },
  'ready ms': {
    figure: (f) => f.readyMs,
    detail: (o, r) => `${signed(o.readyMs! - r.readyMs!)} ms; peak RSS ${fmt(o.peakMiB)} | ${fmt(r.peakMiB)} MiB`,
    server: () => ''
  },
  'idle MiB': {
    figure: (f) => f.idleMiB,
    detail: (o, r) => `${signed(o.idleMiB! - r.idleMiB!)} MiB`,
    server: () => ''
  }
}

function addRow (db: string, scenario: string, unit: Unit, product: Figures, reference: Figures): void {
  const { figure } = UNITS[unit]
  rows.push({ db, scenario, product, reference, unit, ratio: figure(product)! / figure(reference)! })
}
let step = 0

const progress = (text: string): void => { process.stderr.write(`[bench ${++step}] ${text}\n`) }

interface Proc { child: ChildProcess, port: number }

/** The product, quiet (LOG_LEVEL=warn: no per-request log lines), on a port chosen here. */
async function spawnProduct (env: Record<string, string>, nodeArgs: string[] = []): Promise<Proc> {
  const port = await freePort()
  const child = spawn(process.execPath, [...PROFILE_ARGS, ...nodeArgs, PRODUCT], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`)
    const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
    if (up) return { child, port }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function spawnServer (script: string, env: Record<string, string>, nodeArgs: string[] = [], args: string[] = []): Promise<Proc> {
  const child = spawn(process.execPath, [...nodeArgs, built(script), ...args], {
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
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
    process.stderr.write(`  (a server had already exited: ${proc.child.exitCode ?? proc.child.signalCode})\n`)
    return
  }
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

interface CannonOptions { method?: string, body?: string, token?: string, connections?: number, rate?: number, seconds?: number }

async function autocannon (url: string, options: CannonOptions): Promise<Record<string, number>> {
  const args = [join(PROJECT_ROOT, 'node_modules', '.bin', 'autocannon'), '-j', '-c', String(options.connections ?? 32), '-d', String(options.seconds ?? HTTP_SECONDS)]
  if (options.rate !== undefined) args.push('-R', String(options.rate))
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
  const result = await runJson([process.execPath, built('bench/load/ws-load.ts'), JSON.stringify(args)])
  const after = usage(serverPid)
  return { ...result, serverCpu: (after.cpu - before.cpu) / ((Date.now() - started) / 1000), serverRssMb: after.rss / 1048576 }
}

/** A load-generator process holding `sockets` idle sockets open until released. */
async function holdSockets (args: Record<string, unknown>): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, [built('bench/load/ws-load.ts'), JSON.stringify({ ...args, idle: true })], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  const opened = new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once('line', () => resolve()))
  await Promise.race([opened, exited.then(([code]) => { throw new Error(`the idle load generator exited early (${String(code)})`) })])
  return async () => {
    child.stdin!.end('done\n')
    await exited
  }
}

const WARM_SOCKETS = 900

/** Memory of a server started with PROBE_ARGS, after full garbage collections. */
async function probeMemory (proc: Proc, file: string): Promise<NodeJS.MemoryUsage> {
  rmSync(file, { force: true })
  proc.child.kill('SIGWINCH')
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as NodeJS.MemoryUsage
    } catch {}
  }
  throw new Error('the memory probe did not answer')
}

const PROBE_ARGS = ['--expose-gc', '--max-semi-space-size=1', '--import', built('bench/servers/memory-probe.ts')]

const IDLE_STEPS = 5
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
/** Each figure's median over several runs of one scenario. */
const medianOf = (list: Figures[]): Figures => Object.fromEntries(Object.keys(list[0]!).map((key) => [key, median(list.map((f) => f[key] ?? 0))]))

/**
 * Memory per idle socket, at the margin and after full garbage collections (setting sockets up
 * leaves garbage, and when V8 collects it is otherwise noise): 900 sockets (3 per benchmark user)
 * are opened first, so one-time growth (pools, JIT, buffers) is not charged to the ones measured.
 * The sockets are then opened in five equal steps, memory read after each: RSS still jumps by
 * tens of megabytes when V8 or malloc hands pages back, and the median step is immune to one jump.
 */
async function idleMemory (proc: Proc, probeFile: string, args: Record<string, unknown>): Promise<Record<string, number>> {
  const per = (args.sockets as number) / IDLE_STEPS
  const releases = [await holdSockets({ ...args, sockets: WARM_SOCKETS })]
  const readings = [await probeMemory(proc, probeFile)]
  for (let step = 0; step < IDLE_STEPS; step++) {
    // Each user may hold 20 sockets: every step starts where the previous one stopped.
    releases.push(await holdSockets({ ...args, sockets: per, tokenOffset: WARM_SOCKETS + step * per }))
    readings.push(await probeMemory(proc, probeFile))
  }
  for (const release of releases) await release()
  const steps = readings.slice(1).map((after, i) => ({ before: readings[i]!, after }))
  return {
    bytesPerSocket: median(steps.map(({ before, after }) => (after.rss - before.rss) / per)),
    heapPerSocket: median(steps.map(({ before, after }) => (after.heapUsed + after.external - before.heapUsed - before.external) / per))
  }
}

/** A new, empty database on the machine's PostgreSQL, and how to drop it. */
async function scratchPostgres (): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `fc_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(PG_BASE, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(PG_BASE)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop () {
      const cleanup = postgres(PG_BASE, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    }
  }
}

async function benchDatabase (db: 'pglite' | 'postgres'): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'family-chat-bench-'))
  const secret = randomBytes(32).toString('hex')
  const scratch = db === 'postgres' ? await scratchPostgres() : undefined
  const databaseUrl = scratch?.url ?? null
  const procs: Proc[] = []
  try {
    if (PARTS.has('footprint')) await benchFootprint(db, databaseUrl, secret)
    progress(`${db}: seeding 300 users and 100,000 messages`)
    const seeded = await seed({ databaseUrl, dataDir, users: 300, messages: 100_000, secret })
    const tokensFile = join(dataDir, 'bench-tokens.json')
    writeFileSync(tokensFile, JSON.stringify(seeded.tokens))
    const productEnv = { DATA_DIR: dataDir, JWT_SECRET: secret, ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl }), ...RAISED_LIMITS }
    const product = await spawnProduct(productEnv)
    procs.push(product)
    const refHttp = await spawnServer('bench/servers/reference-http.ts', {})
    const refWs = await spawnServer('bench/servers/reference-ws.ts', {})
    const refCorked = await spawnServer('bench/servers/reference-ws.ts', { REFERENCE_CORK: '1' })
    procs.push(refHttp, refWs, refCorked)
    const base = `http://127.0.0.1:${product.port}`
    const token = seeded.tokens[0]!

    if (PARTS.has('http')) await benchHttp(db, refHttp, base, token)
    if (PARTS.has('logins')) await benchLogins(db, base)
    if (PARTS.has('fanout')) {
      await benchCommitFloor(db, databaseUrl, dataDir)
      const ceiling = LOADS.has('saturation') ? await appendCeiling(db) : undefined
      await benchFanout(db, product, { naive: refWs, corked: refCorked }, tokensFile, seeded.roomId, ceiling)
    }
    if (PARTS.has('fairness')) await benchFairness(db, product, token, tokensFile, seeded.roomId)
    await stop(product)
    await stop(refWs)
    await stop(refCorked)
    if (PARTS.has('push')) await benchPush(db, productEnv, tokensFile, seeded.tokens, seeded.roomId)
    if (PARTS.has('idle')) await benchIdle(db, productEnv, tokensFile, seeded.roomId, dataDir)
  } finally {
    for (const proc of procs) await stop(proc)
    await scratch?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * Start-up and idle memory: the product's first start on a new DATA_DIR (PGlite) and a restart, to
 * `/health`, beside bare PGlite initdb-ing and opening the same kind of directory, and bare Fastify
 * + @fastify/websocket. Peak RSS is the whole process tree's, sampled every 5 ms.
 */
async function benchFootprint (db: string, databaseUrl: string | null, secret: string): Promise<void> {
  const product = (dataDir: string) => measureStart(PRODUCT, [], {
    DATA_DIR: dataDir, JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl })
  }, true)
  const scratch = (): string => mkdtempSync(join(tmpdir(), 'family-chat-footprint-'))
  progress(`${db}: footprint, bare Fastify + @fastify/websocket`)
  const fastify = await measureStart(built('bench/servers/reference-fastify-ws.ts'), [], {}, false)
  const dataDir = scratch()
  try {
    progress(`${db}: footprint, first start`)
    const first = await product(dataDir)
    progress(`${db}: footprint, restart`)
    const restart = await product(dataDir)
    if (databaseUrl !== null) {
      addRow(db, 'start → /health', 'ready ms', restart, fastify)
      addRow(db, 'idle RSS after start', 'idle MiB', restart, fastify)
      return
    }
    progress(`${db}: footprint, bare PGlite initdb and open`)
    const initDir = scratch()
    const initdb = await measureStart(built('bench/servers/reference-pglite.ts'), [join(initDir, 'pglite')], {}, false)
    rmSync(initDir, { recursive: true, force: true })
    const open = await measureStart(built('bench/servers/reference-pglite.ts'), [join(dataDir, 'pglite')], {}, false)
    addRow(db, 'first start, new DATA_DIR → /health', 'ready ms', first, initdb)
    addRow(db, 'restart → /health', 'ready ms', restart, open)
    addRow(db, 'idle RSS after restart', 'idle MiB', restart, { idleMiB: open.idleMiB + fastify.idleMiB })
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function benchHttp (db: string, refHttp: Proc, base: string, token: string): Promise<void> {
  progress(`${db}: HTTP reference (bare Fastify hello JSON)`)
  const reference = await autocannon(`http://127.0.0.1:${refHttp.port}/hello`, {})
  progress(`${db}: HTTP reference behind @fastify/helmet (the product's options)`)
  const withHelmet = await spawnServer('bench/servers/reference-http.ts', {}, [], ['helmet'])
  try {
    addRow(db, 'http hello world + @fastify/helmet', 'req/s', await autocannon(`http://127.0.0.1:${withHelmet.port}/hello`, {}), reference)
  } finally {
    await stop(withHelmet)
  }
  const http: Array<[string, string, Parameters<typeof autocannon>[1]]> = [
    ['GET /health', '/health', {}],
    ['GET /api/messages (50 of 100,000)', '/api/messages?limit=50', { token }],
    ['POST /api/messages', '/api/messages', { method: 'POST', body: JSON.stringify({ body: 'a benchmark message of about one hundred bytes, committed before the answer...' }), token }]
  ]
  for (const [scenario, path, options] of http) {
    progress(`${db}: HTTP ${scenario}`)
    const result = await autocannon(`${base}${path}`, options)
    addRow(db, `http ${scenario}`, 'req/s', result, reference)
  }
}

/** /health (or any GET) at a steady pace from its own process (bench/load/http-probe.ts). */
function probeHttp (url: string, seconds: number): Promise<Record<string, number>> {
  return runJson([process.execPath, built('bench/load/http-probe.ts'), JSON.stringify({ url, rate: 200, seconds, connections: 4 })])
}

// argon2 is slow on purpose: a burst of logins must not slow everything else down. /health at a
// steady 200 req/s, alone and then while 50 clients log in back to back.
async function benchLogins (db: string, base: string): Promise<void> {
  progress(`${db}: GET /health at 200 req/s, quiet`)
  const quiet = await probeHttp(`${base}/health`, HTTP_SECONDS)
  progress(`${db}: GET /health at 200 req/s while 50 logins run at once`)
  const logins = autocannon(`${base}/api/auth/login`, {
    method: 'POST', body: JSON.stringify({ username: 'bench1', password: 'bench password' }), connections: 50, seconds: HTTP_SECONDS + 2
  })
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const busy = await probeHttp(`${base}/health`, HTTP_SECONDS)
  const login = await logins
  addRow(db, 'GET /health p99 during 50 logins', 'p99 ms', { ...busy, loginsPerSec: login.reqPerSec!, loginP99: login.p99! }, quiet)
}

// One member reading as hard as the per-socket limits allow must not stall everyone else: four
// sockets of one member each `sync` the room's largest page (100 messages of 4,000 characters) at
// 20 per second (RATE_LIMIT_WS's default), while /health is probed at a steady pace, and then while
// ten other members talk at 200 msg/s: their send → delivery p99 against the same talk alone.
// Each quiet run and its syncing twin take turns FIXED_RATE_PAIRS times, medians compared.
async function benchFairness (db: string, product: Proc, token: string, tokensFile: string, roomId: string): Promise<void> {
  const base = `http://127.0.0.1:${product.port}`
  progress(`${db}: 100 messages of 4,000 characters`)
  const long = '😀'.repeat(1000) + 'x'.repeat(3000)
  let since = 0
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ roomId, body: long }) })
    const { message } = await res.json() as { message: { seq: number } }
    if (i === 0) since = message.seq - 1
  }
  const whileSyncing = async (seconds: number, measure: () => Promise<Figures>): Promise<Figures> => {
    const load = runJson([process.execPath, built('bench/load/sync-load.ts'), JSON.stringify({ url: base.replace('http:', 'ws:'), token, roomId, since, sockets: 4, rate: 20, seconds: seconds + 2 })])
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const measured = await measure()
    const served = await load
    return { ...measured, pagesPerSec: served.pages! / (seconds + 2), refused: served.errors! }
  }
  // Quiet and syncing take turns, as the fixed-rate fan-out does: one run's p99 is not a measure.
  const health = (): Promise<Figures> => probeHttp(`${base}/health`, HTTP_SECONDS)
  const [quiet, syncing] = await inTurns(db, 'GET /health at 200 req/s', ['quiet', 'while one member\'s 4 sockets sync long pages at 20/s each'], health, () => whileSyncing(HTTP_SECONDS, health))
  addRow(db, 'GET /health p99 while one member syncs long pages', 'p99 ms', syncing, quiet)
  // The talkers are the tokens after the reader's, so the reader's own budget is not theirs.
  const talk = { url: `ws://127.0.0.1:${product.port}`, mode: 'product', sockets: 10, senders: 5, rate: 200, seconds: WS_SECONDS, tokensFile, roomId, tokenOffset: 1 }
  const talkers = (): Promise<Figures> => wsLoad(product.child.pid!, talk)
  const [alone, talking] = await inTurns(db, 'ten other members at 200 msg/s', ['alone', 'while one member\'s 4 sockets sync long pages'], talkers, () => whileSyncing(WS_SECONDS, talkers))
  addRow(db, 'fan-out N=10 200 msg/s while one syncs', 'p99 ms', talking, alone)
}

/**
 * Every delivery waits for a durable commit: the commit alone, at the moderate fan-out's rate and
 * back to back; and a fixed piece of JavaScript both ways. A piece of work that follows a 5 ms
 * pause costs several times what it costs back to back here (README, "Benchmarks"), and at
 * 200 msg/s every message's work follows one.
 */
async function benchCommitFloor (db: string, databaseUrl: string | null, dataDir: string): Promise<void> {
  const probe = async (work: 'commit' | 'json', rate: number, what: string): Promise<void> => {
    progress(`${db}: ${what}`)
    const scratch = mkdtempSync(join(dataDir, 'work-probe-'))
    const result = await runJson([process.execPath, built('bench/load/work-probe.ts'), JSON.stringify({ work, databaseUrl, dataDir: scratch, rate, seconds: WS_SECONDS })])
    floors.push({ db, what, p50: result.p50!, p99: result.p99!, max: result.max! })
  }
  await probe('commit', 200, 'commit alone: one INSERT at 200/s, its own process')
  await probe('commit', 0, 'commit alone: one INSERT back to back, its own process')
  await probe('json', 200, 'no I/O: a JSON round trip at 200/s, its own process')
  await probe('json', 0, 'no I/O: the same JSON round trip back to back')
}

/** Members sending in each fan-out scenario (fewer when the room is smaller). */
const SENDERS = 5
/** ws-load's saturation: every sender with a window of 16 messages in flight. */
const SATURATION_IN_FLIGHT = SENDERS * 16

/**
 * Messages a second the room log's append alone commits in batches of everything the saturation
 * load can have in flight (bench/load/append-probe.ts), on a database of its own seeded like the
 * bench's: no server delivers more.
 */
async function appendCeiling (db: 'pglite' | 'postgres'): Promise<number> {
  progress(`${db}: the append alone, batches of ${SATURATION_IN_FLIGHT} back to back, its own process and database`)
  const dataDir = mkdtempSync(join(tmpdir(), 'family-chat-append-probe-'))
  const scratch = db === 'postgres' ? await scratchPostgres() : undefined
  try {
    const result = await runJson([process.execPath, built('bench/load/append-probe.ts'), JSON.stringify({ databaseUrl: scratch?.url ?? null, dataDir, batch: SATURATION_IN_FLIGHT, senders: SENDERS, seconds: WS_SECONDS })])
    return result.messagesPerSec!
  } finally {
    await scratch?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * The bare `ws` references: the naive one writes each frame to each socket on its own; the corked
 * one corks each socket for the tick, as the product does — the stricter ceiling at saturation.
 */
interface WsReferences { naive: Proc, corked: Proc }

/** `ceiling`: appendCeiling's messages a second, for a row beside each saturation's (every message is delivered to every socket). */
async function benchFanout (db: string, product: Proc, references: WsReferences, tokensFile: string, roomId: string, ceiling: number | undefined): Promise<void> {
  const refWs = references.naive
  for (const sockets of SOCKETS) {
    const senders = Math.min(SENDERS, sockets)
    for (const rate of [sockets === 1000 ? 20 : 200, 0]) {
      if (!LOADS.has(rate === 0 ? 'saturation' : 'moderate') || (sockets === 1 && rate === 0)) continue
      const label = rate === 0 ? 'saturation' : `${rate} msg/s`
      const bareLoad = (): Promise<Figures> => wsLoad(refWs.child.pid!, { url: `ws://127.0.0.1:${refWs.port}`, mode: 'bare', sockets, senders, rate, seconds: WS_SECONDS })
      const ourLoad = (): Promise<Figures> => wsLoad(product.child.pid!, { url: `ws://127.0.0.1:${product.port}`, mode: 'product', sockets, senders, rate, seconds: WS_SECONDS, tokensFile, roomId })
      if (rate > 0) {
        const bare = await fixedRatePairs(db, `fan-out N=${sockets} ${label}`, bareLoad, ourLoad)
        if (sockets === 1) floors.push({ db, what: 'bare ws, one socket at 200 msg/s: send → delivery', p50: bare.p50!, p99: bare.p99!, max: bare.max! })
        continue
      }
      progress(`${db}: fan-out N=${sockets}, ${label}, bare ws`)
      const bare = await bareLoad()
      progress(`${db}: fan-out N=${sockets}, ${label}, Family Chat`)
      const ours = await ourLoad()
      addRow(db, `fan-out N=${sockets} ${label}`, 'delivered/s', ours, bare)
      progress(`${db}: fan-out N=${sockets}, ${label}, bare ws corked`)
      const corked = await wsLoad(references.corked.child.pid!, { url: `ws://127.0.0.1:${references.corked.port}`, mode: 'bare', sockets, senders, rate, seconds: WS_SECONDS })
      addRow(db, `fan-out N=${sockets} ${label} vs corked ws`, 'delivered/s', ours, corked)
      if (ceiling !== undefined) addRow(db, `fan-out N=${sockets} append alone ×${sockets} vs corked ws`, 'delivered/s', { deliveredPerSec: ceiling * sockets }, corked)
    }
  }
}

/**
 * One run's p99 moved by 2x from the next here: the reference and the measured side take turns
 * FIXED_RATE_PAIRS times, each run's `shown` figure printed as it goes, and the medians are
 * compared. Answers the medians, the reference's first.
 */
async function inTurns (db: string, scenario: string, names: [string, string], reference: () => Promise<Figures>, measured: () => Promise<Figures>, shown = 'p99'): Promise<[Figures, Figures]> {
  const runs: [Figures[], Figures[]] = [[], []]
  for (let pair = 1; pair <= FIXED_RATE_PAIRS; pair++) {
    progress(`${db}: ${scenario}, ${names[0]} (${pair}/${FIXED_RATE_PAIRS})`)
    runs[0].push(await reference())
    progress(`${db}: ${scenario}, ${names[1]} (${pair}/${FIXED_RATE_PAIRS})`)
    runs[1].push(await measured())
  }
  const each = (list: Figures[]): string => list.map((f) => fmt(f[shown], 1)).join(' ')
  progress(`${db}: ${scenario}, ${shown} of each run: ${names[1]} ${each(runs[1])}, ${names[0]} ${each(runs[0])}`)
  return [medianOf(runs[0]), medianOf(runs[1])]
}

/** Fixed-rate fan-out, the product in turns with bare `ws`: a row for the rate and one for the tail. Answers the reference's medians. */
async function fixedRatePairs (db: string, scenario: string, bareLoad: () => Promise<Figures>, ourLoad: () => Promise<Figures>): Promise<Figures> {
  const [bare, ours] = await inTurns(db, scenario, ['bare ws', 'Family Chat'], bareLoad, ourLoad)
  addRow(db, scenario, 'delivered/s', ours, bare)
  addRow(db, `${scenario}, tail`, 'send → delivery p99 ms', ours, bare)
  return bare
}

/** Away members' devices subscribed in the pushes-on run: each message is pushed to every one of them. */
const AWAY_DEVICES = 5

/**
 * The same room with pushes off and on, each on a fresh process: N=10 sockets sending (at 200 msg/s
 * and at saturation) while AWAY_DEVICES members without a socket are pushed, into a sink on
 * loopback. Off and on alternate FIXED_RATE_PAIRS times (the machine's drift moves a single run by
 * more than pushes cost; every run grows the same database, so neither side gets the smaller one)
 * and the medians are compared: the ratio says what pushes cost.
 */
async function benchPush (db: string, productEnv: Record<string, string>, tokensFile: string, tokens: string[], roomId: string): Promise<void> {
  const sink = await spawnServer('bench/servers/push-sink.ts', {})
  const pushEnv = { ...productEnv, PUSH_CONTACT: 'mailto:bench@family.example', PUSH_ENDPOINT_HOSTS: '127.0.0.1' }
  const load = { mode: 'product', sockets: 10, senders: 5, seconds: WS_SECONDS, tokensFile, roomId }
  const subscribeAwayDevices = async (port: number): Promise<void> => {
    // The last tokens' members have no socket in the load: they are away, and pushed.
    for (const [i, token] of tokens.slice(-AWAY_DEVICES).entries()) {
      const device = createECDH('prime256v1')
      device.generateKeys()
      const res = await fetch(`http://127.0.0.1:${port}/api/push/subscription`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: `http://127.0.0.1:${sink.port}/push/${i}`, keys: { p256dh: device.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') } })
      })
      if (res.status !== 204) throw new Error(`subscribing a bench device: ${res.status}`)
    }
  }
  try {
    for (const rate of [200, 0]) {
      const label = rate === 0 ? 'saturation' : `${rate} msg/s`
      const run = async (pushes: boolean): Promise<Figures> => {
        const proc = await spawnProduct(pushes ? pushEnv : productEnv)
        if (pushes) await subscribeAwayDevices(proc.port)
        try {
          return await wsLoad(proc.child.pid!, { ...load, url: `ws://127.0.0.1:${proc.port}`, rate })
        } finally {
          await stop(proc)
        }
      }
      const [off, on] = await inTurns(db, `N=10 ${label}`, ['pushes off', `pushes on, ${AWAY_DEVICES} devices away`], () => run(false), () => run(true), 'deliveredPerSec')
      addRow(db, `pushes on/off N=10 ${label}`, 'delivered/s', on, off)
    }
  } finally {
    const counted = once(sink.child.stdout!, 'data')
    await stop(sink)
    const [chunk] = await counted as [Buffer]
    progress(`${db}: the push sink took ${(JSON.parse(chunk.toString()) as { pushes: number }).pushes} pushes`)
  }
}

// Idle sockets on fresh processes: a server that just ran the fan-out has a grown heap that hides them.
async function benchIdle (db: string, productEnv: Record<string, string>, tokensFile: string, roomId: string, dataDir: string): Promise<void> {
  const probeFile = join(dataDir, 'memory-probe.json')
  for (const sockets of [1000, 5000]) {
    progress(`${db}: ${sockets} idle sockets`)
    const freshRef = await spawnServer('bench/servers/reference-ws.ts', { MEMORY_PROBE_FILE: probeFile, MALLOC_ARENA_MAX: '2' }, PROBE_ARGS)
    const bare = await idleMemory(freshRef, probeFile, { url: `ws://127.0.0.1:${freshRef.port}`, mode: 'bare', sockets, senders: 0, rate: 0, seconds: 0 })
    await stop(freshRef)
    const freshProduct = await spawnProduct({ ...productEnv, MEMORY_PROBE_FILE: probeFile, MALLOC_ARENA_MAX: '2' }, PROBE_ARGS)
    const ours = await idleMemory(freshProduct, probeFile, { url: `ws://127.0.0.1:${freshProduct.port}`, mode: 'product', sockets, senders: 0, rate: 0, seconds: 0, tokensFile, roomId })
    await stop(freshProduct)
    addRow(db, `idle sockets ${sockets}`, 'RSS bytes/socket', ours, bare)
  }
}

const which = process.env.BENCH_DB
for (const db of ['pglite', 'postgres'] as const) {
  if (which !== undefined && which !== db) continue
  await benchDatabase(db)
}

const lines = [
  '',
  `Family Chat benchmark — ${new Date().toISOString()} — Node ${process.version}, loopback, NODE_ENV=production, LOG_LEVEL=warn, limits raised (${Object.entries(RAISED_LIMITS).map(([k, v]) => `${k}=${v}`).join(', ')})`,
  'ratio = Family Chat / reference measured in the same run (bare Fastify hello JSON for HTTP; bare ws broadcast, no auth, no persistence, for fan-out).',
  '',
  'db        scenario                                  unit                   Family Chat    reference   ratio   p50/p99/max ms (ours | ref)        server CPU, RSS; load generator CPU (ours | ref)',
  ...rows.map((r) => {
    const unit = UNITS[r.unit]
    return `${r.db.padEnd(9)} ${r.scenario.padEnd(41)} ${r.unit.padEnd(22)} ${fmt(unit.figure(r.product), unit.digits).padStart(11)} ${fmt(unit.figure(r.reference), unit.digits).padStart(12)} ${r.ratio.toFixed(2).padStart(7)}   ${unit.detail(r.product, r.reference).padEnd(34)} ${unit.server(r.product, r.reference)}`
  }),
  ...floors.length === 0
    ? []
    : [
        '',
        'floors of this machine, same run: no send → delivery can have a shorter tail than a commit; back to back against at 200/s is what a pause costs   p50/p99/max ms',
        ...floors.map((f) => `${f.db.padEnd(9)} ${f.what.padEnd(86)} ${fmt(f.p50, 2)}/${fmt(f.p99, 2)}/${fmt(f.max, 1)}`)
      ]
]
process.stdout.write(lines.join('\n') + '\n')
mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true })
const json = JSON.stringify({ at: new Date().toISOString(), node: process.version, limits: RAISED_LIMITS, rows, floors }, null, 2)
writeFileSync(join(PROJECT_ROOT, 'bench', 'results', 'latest.json'), json)
process.stderr.write('wrote bench/results/latest.json\n')
