import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { DataDirLockedError } from '../../db/data-dir-lock.js'
import { adminSocketPath, isAnswering } from '../admin/admin-socket.js'
import { whereTo } from '../admin/where-to.js'
import { ConfigError, loadConfig } from '../config.js'
import { ArchiveError } from './archive.js'
import { restoreBackup, RestoreRefused } from './restore.js'

const USAGE = 'usage: bin/restore FILE'
const HELP = `${USAGE}

Loads a backup written by bin/backup into the configured database and storage (DATA_DIR, or
DATABASE_URL and CLOUDINARY_URL), which must hold no family yet: a new DATA_DIR, or an empty
PostgreSQL database. Stop the server first. Users log in again afterwards with their passwords.`

/** Exit codes: 0 restored, 1 refused or failed (nothing changed), 2 usage error. */
export async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (parsed.values.help === true) {
    console.log(HELP)
    return 0
  }
  if (parsed.positionals.length !== 1) {
    console.error(USAGE)
    return 2
  }
  const archive = resolve(parsed.positionals[0]!)
  try {
    const config = loadConfig()
    if (await isAnswering(adminSocketPath(config.dataDir))) {
      throw new RestoreRefused(`a server is running on ${config.dataDir}: stop it first`)
    }
    const summary = await restoreBackup(archive, config)
    const n = (value: number | undefined): string => (value ?? 0).toLocaleString('en-US')
    console.log(`restored ${archive}: ${n(summary.rows.users)} users, ${n(summary.rows.rooms)} rooms, ${n(summary.rows.messages)} messages, ${n(summary.images)} photos and avatars`)
    console.log(`(${whereTo(config)}; everyone logs in again with their password)`)
    return 0
  } catch (err) {
    if (err instanceof ArchiveError || err instanceof RestoreRefused || err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(`restore: ${err.message}; nothing was changed`)
      return 1
    }
    console.error('restore: failed:', err instanceof Error ? err.message : err)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
