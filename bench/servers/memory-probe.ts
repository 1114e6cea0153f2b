// Preloaded (--import) into a server the bench measures idle sockets on, with --expose-gc: on
// SIGWINCH (a signal nothing else here listens to; close-with-grace takes SIGUSR2) it collects
// garbage fully and writes process.memoryUsage() to MEMORY_PROBE_FILE, so RSS is read without
// the garbage that setting sockets up leaves behind (when V8 collects it is otherwise noise).
import { writeFileSync } from 'node:fs'

const file = process.env.MEMORY_PROBE_FILE
const gc = (globalThis as { gc?: () => void }).gc
if (file === undefined || gc === undefined) throw new Error('memory-probe needs MEMORY_PROBE_FILE and --expose-gc')
process.on('SIGWINCH', () => {
  for (let i = 0; i < 3; i++) gc()
  writeFileSync(file, JSON.stringify(process.memoryUsage()))
})
