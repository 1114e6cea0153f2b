// One member's heavy but in-limit reading, run in its own process: S sockets of one user, each
// sending `sync` for the room's largest page (limit 100 of long messages) at `rate` per second —
// the per-socket limit a family's server enforces. Counts pages and bytes received. Prints one
// JSON line.
import WebSocket from 'ws'

interface Args { url: string, token: string, roomId: string, since: number, sockets: number, rate: number, seconds: number }
const args = JSON.parse(process.argv[2]!) as Args
let pages = 0
let bytes = 0
let errors = 0

function open (): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${args.url}/ws`, { headers: { authorization: `Bearer ${args.token}` }, perMessageDeflate: false })
    ws.once('message', () => resolve(ws))
    ws.once('error', reject)
    ws.on('message', (data: Buffer) => {
      bytes += data.length
      if (data.subarray(0, 20).toString().includes('"messages"')) pages++
      else if (data.subarray(0, 20).toString().includes('"error"')) errors++
    })
  })
}

const sockets = await Promise.all(Array.from({ length: args.sockets }, open))
const frame = JSON.stringify({ type: 'sync', id: 's', data: { roomId: args.roomId, since: args.since, limit: 100 } })
const timers = sockets.map((ws) => setInterval(() => ws.send(frame), 1000 / args.rate))
await new Promise((resolve) => setTimeout(resolve, args.seconds * 1000))
for (const timer of timers) clearInterval(timer)
for (const ws of sockets) ws.terminate()
console.log(JSON.stringify({ pages, bytes, errors }))
