import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { freePort } from '../test/fixtures/ports.js'

/** What starting a process cost: time to ready, the peak RSS of its whole tree, and RSS once idle. */
export type StartFigures = {
  readyMs: number
  peakMiB: number
  idleMiB: number
}

const MiB = 1024 * 1024

function rssOf (pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
  } catch {
    return 0
  }
}

/** The process and every descendant (a server that started one would be charged for it). */
function treeOf (pid: number): number[] {
  const children: number[] = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      if (list !== '') children.push(...list.split(' ').map(Number))
    }
  } catch {}
  return [pid, ...children.flatMap(treeOf)]
}

const treeRss = (pid: number): number => treeOf(pid).reduce((sum, p) => sum + rssOf(p), 0)

/**
 * Spawns `script` and samples its tree's RSS every 5 ms until it is ready — `/health` answers
 * (`health: true`, on the PORT given) or it prints READY — then lets it settle for two seconds and
 * reads its idle RSS, and stops it with SIGTERM.
 */
export async function measureStart (script: string, args: string[], env: Record<string, string>, health: boolean): Promise<StartFigures> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let peak = 0
  const sampler = setInterval(() => { peak = Math.max(peak, treeRss(child.pid!)) }, 5)
  try {
    let printedReady = false
    createInterface({ input: child.stdout! }).on('line', (line) => { if (line === 'READY') printedReady = true })
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`)
      const ready = health ? await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false) : printedReady
      if (ready) break
      await new Promise((resolve) => setTimeout(resolve, health ? 20 : 5))
    }
    const readyMs = performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const idle = treeRss(child.pid!)
    return { readyMs, peakMiB: Math.max(peak, idle) / MiB, idleMiB: idle / MiB }
  } finally {
    clearInterval(sampler)
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
  }
}
