import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { BackupSchedule } from '../config.js'
import { BACKUP_NAME, defaultBackupPath } from './names.js'

export type BackupHealth = 'ok' | 'failing'

export interface ScheduleParts {
  schedule: BackupSchedule
  /** Writes one backup to the path. */
  backup (path: string): Promise<string>
  /** Runs the job unless another instance sharing the database runs it (Database.exclusive). */
  exclusive (name: string, job: () => Promise<void>): Promise<{ ran: boolean }>
  log: FastifyBaseLogger
}

export interface BackupScheduler {
  /** 'failing' from a failed backup until the next one succeeds. */
  health (): BackupHealth
  stop (): Promise<void>
}

/** The time a backup's name says it was taken. */
function takenAt (name: string): number {
  const [date, time] = name.slice('family-chat-'.length, -'Z.tar'.length).split('T') as [string, string]
  return Date.parse(`${date}T${time.replaceAll('-', ':')}Z`)
}

async function backupsIn (dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => BACKUP_NAME.test(name)).sort()
}

// What a killed backup leaves (src/backup/archive.ts): `.<name>.<pid>.tmp`, and its row spool.
const LEFTOVER = /^\.family-chat-.+\.tar\.(\d+)\.tmp(?:\.spool)?$/
// A backup under way writes all the time; one untouched this long is not under way (whatever host
// a shared folder's writer is on).
const LEFTOVER_AFTER_MS = 10 * 60_000

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes the temporary files of backups that were killed part way (kill -9, a power cut). */
async function removeLeftovers (dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = LEFTOVER.exec(name)?.[1]
    if (pid === undefined || Number(pid) === process.pid || isRunning(Number(pid))) continue
    const path = join(dir, name)
    const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs
    if (age > LEFTOVER_AFTER_MS) await rm(path, { force: true })
  }
}

/**
 * The server's own backups (families do not write cron jobs): one when the newest in BACKUP_DIR
 * is older than BACKUP_EVERY, then one every BACKUP_EVERY, keeping the newest BACKUP_KEEP. With
 * several instances, a database lock lets one run at a time, and one that finds a fresh backup
 * (another instance's, in a shared folder) skips its turn. What killed backups left behind goes too.
 */
export function scheduleBackups (parts: ScheduleParts): BackupScheduler {
  const { dir, everyMs, keep } = parts.schedule
  let health: BackupHealth = 'ok'
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let stopped = false

  async function runOnce (): Promise<void> {
    const newest = (await backupsIn(dir)).at(-1)
    if (newest !== undefined && Date.now() - takenAt(newest) < everyMs / 2) return
    const summary = await parts.backup(defaultBackupPath(dir))
    parts.log.info({ backup: summary }, 'scheduled backup written')
    const all = await backupsIn(dir)
    for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(join(dir, old), { force: true })
    await removeLeftovers(dir)
  }

  async function tick (): Promise<void> {
    try {
      const { ran } = await parts.exclusive('family-chat scheduled backup', runOnce)
      if (!ran) parts.log.info('scheduled backup skipped: another instance is writing one')
      health = 'ok'
    } catch (err) {
      health = 'failing'
      parts.log.error({ err, dir }, 'scheduled backup failed')
    }
    if (!stopped) plan(everyMs)
  }

  function plan (delayMs: number): void {
    // setTimeout's delay is a 32-bit signed count of milliseconds: a longer one fires at once.
    timer = setTimeout(() => { running = tick() }, Math.min(delayMs, 2 ** 31 - 1))
    timer.unref()
  }

  backupsIn(dir).then((names) => {
    const newest = names.at(-1)
    if (!stopped) plan(newest === undefined ? 0 : Math.max(0, takenAt(newest) + everyMs - Date.now()))
  }, (err: unknown) => {
    health = 'failing'
    parts.log.error({ err, dir }, 'cannot read BACKUP_DIR')
    if (!stopped) plan(everyMs)
  })

  return {
    health: () => health,
    async stop () {
      stopped = true
      clearTimeout(timer)
      // A backup under way finishes (its archive is whole or not there at all) before the database closes.
      await running
    }
  }
}
