// Paced HTTP prober, run in its own process: one GET every 1/rate s, spread over a few keep-alive
// connections, each timed from request to the response's end. autocannon's rate limit sends each
// second's quota back to back at the top of the second, and its p99 then measures those bursts
// (13-35 ms against a bare hello-world at 200 req/s here); a steady pace measures the server.
// Prints one JSON line of results.
import { Agent, request } from 'node:http'

interface Args { url: string, rate: number, seconds: number, connections: number }
const args = JSON.parse(process.argv[2]!) as Args
const agent = new Agent({ keepAlive: true, maxSockets: args.connections })
const latencies: number[] = []
let errors = 0
let inFlight = 0

function probe (): void {
  const started = performance.now()
  inFlight++
  const req = request(args.url, { agent }, (res) => {
    res.resume()
    res.on('end', () => {
      inFlight--
      if (res.statusCode === 200) latencies.push(performance.now() - started)
      else errors++
    })
  })
  req.on('error', () => {
    inFlight--
    errors++
  })
  req.end()
}

// Requests are due by the clock, not by timer callbacks, so a late timer is caught up, not skipped.
const interval = 1000 / args.rate
const begin = performance.now()
let issued = 0
const timer = setInterval(() => {
  const due = Math.floor((performance.now() - begin) / interval)
  while (issued < due) {
    probe()
    issued++
  }
}, Math.max(1, Math.floor(interval / 2)))

setTimeout(() => {
  clearInterval(timer)
  const finish = (): void => {
    if (inFlight > 0) {
      setTimeout(finish, 10)
      return
    }
    latencies.sort((a, b) => a - b)
    const q = (p: number): number => latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
    process.stdout.write(JSON.stringify({ reqPerSec: latencies.length / args.seconds, p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1] ?? 0, errors }) + '\n')
    agent.destroy()
  }
  finish()
}, args.seconds * 1000)
