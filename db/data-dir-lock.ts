import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export interface DataDirLock {
  release (): void
}

/** Thrown when another live process holds the embedded database. */
export class DataDirLockedError extends Error {
  constructor (readonly pid: number, dir: string) {
    super(`${dir} is in use by process ${pid}; the embedded database allows one process at a time`)
    this.name = 'DataDirLockedError'
  }
}

export const lockPath = (dataDir: string): string => join(dataDir, 'pglite.lock')

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/**
 * A process killed with SIGKILL whose parent has not reaped it yet still answers signal 0, but
 * holds nothing: on Linux its state in /proc is Z. A restart right after a crash must not wait
 * for the reaping (elsewhere there is no /proc, and signal 0 is the answer).
 */
function isZombie (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state …": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

/** The pid recorded in the lock if that process is still running, else null. */
export function lockHolder (dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(lockPath(dataDir), 'utf8'))
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null
  } catch {
    return null
  }
}

/**
 * PGlite has no cross-process locking and two writers corrupt its files, so the data
 * directory is guarded by an O_EXCL pid file. A lock left by a dead process is taken over.
 */
export function acquireDataDirLock (dataDir: string): DataDirLock {
  const file = lockPath(dataDir)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return {
        release () {
          if (released) return
          released = true
          try { unlinkSync(file) } catch {}
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = lockHolder(dataDir)
      if (holder !== null) throw new DataDirLockedError(holder, dataDir)
      try { unlinkSync(file) } catch {}
    }
  }
  throw new Error(`could not lock ${dataDir}`)
}
