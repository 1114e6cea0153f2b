// WebSocket load generator, run in its own process. Opens N sockets; M of them send ~100-byte
// messages, either at a fixed total rate or as fast as a window of 16 in flight per sender allows
// (saturation). Every receiver measures send → delivery latency from the timestamp in the message.
// At a fixed rate a frame is only timestamped on arrival and read after the run: one process
// receives for all N sockets, and parsing frame k before timestamping frame k + 1 would charge
// the generator's own work to the server. Prints one JSON line of results.
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'

interface Args {
  url: string
  mode: 'product' | 'bare'
  sockets: number
  senders: number
  rate: number // messages/s in total; 0 = saturation
  seconds: number
  tokensFile?: string
  roomId?: string
  idle?: boolean
  /** Where in the tokens file this process starts, so several processes spread over the users. */
  tokenOffset?: number
}
const args = JSON.parse(process.argv[2]!) as Args
const tokens: string[] = args.tokensFile === undefined ? [] : JSON.parse(readFileSync(args.tokensFile, 'utf8')) as string[]
const WINDOW = 16
const pad = 'x'.repeat(60)

const latencies: number[] = []
let delivered = 0
let sent = 0
let errors = 0
let measuring = false
let running = true
let counter = 0
const inFlight: number[] = []

function open (i: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = args.mode === 'product'
      ? new WebSocket(`${args.url}/ws`, { headers: { authorization: `Bearer ${tokens[((args.tokenOffset ?? 0) + i) % tokens.length]!}` }, perMessageDeflate: false })
      : new WebSocket(args.url, { perMessageDeflate: false })
    let ready = args.mode === 'bare'
    ws.on('open', () => { if (ready) resolve(ws) })
    ws.on('error', reject)
    ws.on('message', (raw: Buffer) => {
      const at = performance.now() + performance.timeOrigin
      if (ready && args.rate > 0) {
        if (measuring) arrivals.push(at, raw)
        return
      }
      if (args.mode === 'product' && !ready) {
        if ((JSON.parse(raw.toString()) as { type: string }).type === 'ready') {
          ready = true
          resolve(ws)
        }
        return
      }
      const s = account(at, raw)
      if (s === i) {
        inFlight[i] = (inFlight[i] ?? 1) - 1
        if (running) pump(i)
      }
    })
  })
}

/** Arrival times and frames of a fixed-rate run, alternating, read after it. */
const arrivals: Array<number | Buffer> = []

// A sent body is `{"t":<ms>,"s":<sender>,"p":"x…"}`; in a product frame it is a JSON string, its quotes
// escaped. Only the two numbers are read, by position, the same way in both modes: parsing whole
// product frames (four times the bytes, twice parsed) made this process the bottleneck at N = 100,
// busy a full core while the server it measured was not.
const QUOTE = args.mode === 'product' ? '\\"' : '"'
const T_AT = `{${QUOTE}t${QUOTE}:`
const S_AT = `,${QUOTE}s${QUOTE}:`
const MESSAGE_NEW = '{"type":"message.new"'
const ERROR = '{"type":"error"'

/** Counts a frame that arrived at `at`; returns the index of the socket that sent it, if a message. */
function account (at: number, raw: Buffer): number | undefined {
  const text = raw.toString('latin1')
  if (args.mode === 'product' && !text.startsWith(MESSAGE_NEW)) {
    if (text.startsWith(ERROR)) errors++
    return undefined
  }
  const tAt = text.indexOf(T_AT)
  const sAt = text.indexOf(S_AT, tAt)
  if (tAt === -1 || sAt === -1) throw new Error(`not a frame this generator sent: ${text.slice(0, 200)}`)
  const t = Number(text.slice(tAt + T_AT.length, sAt))
  const s = Number(text.slice(sAt + S_AT.length, text.indexOf(',', sAt + S_AT.length)))
  if (measuring) {
    delivered++
    latencies.push(at - t)
  }
  return s
}

function sendOne (i: number): void {
  const body = JSON.stringify({ t: performance.now() + performance.timeOrigin, s: i, p: pad })
  inFlight[i] = (inFlight[i] ?? 0) + 1
  sent++
  if (args.mode === 'product') {
    sockets[i]!.send(JSON.stringify({ type: 'message.send', data: { roomId: args.roomId, body, clientId: `${process.pid}-${i}-${counter++}` } }))
  } else {
    sockets[i]!.send(body)
  }
}
function pump (i: number): void {
  while ((inFlight[i] ?? 0) < WINDOW) sendOne(i)
}

const sockets: WebSocket[] = []
for (let i = 0; i < args.sockets; i += 200) {
  const batch = await Promise.all(Array.from({ length: Math.min(200, args.sockets - i) }, (_, j) => open(i + j)))
  sockets.push(...batch)
}
process.stderr.write(`  opened ${sockets.length} sockets\n`)

if (args.idle === true) {
  process.stdout.write(JSON.stringify({ opened: sockets.length }) + '\n')
  // Hold them open until the parent has measured, then leave.
  process.stdin.once('data', () => process.exit(0))
} else {
  const senders = Array.from({ length: args.senders }, (_, i) => i)
  const warmup = 1000
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  if (args.rate === 0) {
    for (const i of senders) pump(i)
  } else {
    const perTick = args.rate / 100
    let carry = 0
    timer = setInterval(() => {
      carry += perTick
      while (carry >= 1) {
        sendOne(senders[sent % senders.length]!)
        carry -= 1
      }
    }, 10)
  }
  let cpuAtStart = process.cpuUsage()
  setTimeout(() => {
    measuring = true
    cpuAtStart = process.cpuUsage()
  }, warmup)
  setTimeout(() => {
    running = false
    clearInterval(timer)
    const seconds = (performance.now() - started - warmup) / 1000
    const cpu = process.cpuUsage(cpuAtStart)
    for (let k = 0; k < arrivals.length; k += 2) account(arrivals[k] as number, arrivals[k + 1] as Buffer)
    measuring = false
    latencies.sort((a, b) => a - b)
    const q = (p: number) => latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
    process.stdout.write(JSON.stringify({
      delivered,
      deliveredPerSec: delivered / seconds,
      sent,
      errors,
      p50: q(0.5),
      p99: q(0.99),
      max: latencies[latencies.length - 1] ?? 0,
      // Cores this process used while measuring (at a fixed rate, before reading what arrived).
      generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds
    }) + '\n')
    for (const ws of sockets) ws.terminate()
    process.exit(0)
  }, warmup + args.seconds * 1000)
}
