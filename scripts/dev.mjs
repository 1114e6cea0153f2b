#!/usr/bin/env node
// `npm run dev`: the compiled server, restarted whenever `tsc --watch` rewrites dist/. It runs the
// same JavaScript `npm start` does, so what works here works in production.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const children = [
  spawn(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch-path', join(ROOT, 'dist'), join(ROOT, 'dist', 'src', 'server.js')], { stdio: 'inherit' })
]
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { for (const child of children) child.kill(signal) })
}
for (const child of children) child.on('exit', (code) => { process.exitCode ??= code ?? 1 })
