import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { openDatabase } from '../../db/client.js'
import { DataDirLockedError } from '../../db/data-dir-lock.js'
import { ConfigError, loadConfig } from '../config.js'
import { adminSocketPath, sendAdminRequest } from './admin-socket.js'
import { AdminError, adminCommands, isAdminCommand, type AdminRequest } from './commands.js'
import { readPassword } from './read-password.js'
import { backupWith } from '../backup/backup.js'
import { defaultBackupPath } from '../backup/names.js'
import { openMediaStore } from '../media/open-store.js'
import { whereTo } from './where-to.js'

interface CommandSpec {
  usage: string
  summary: string
  positionals: string[]
  options: NonNullable<ParseArgsConfig['options']>
  password?: string
}

const SPECS: Record<AdminRequest['command'], CommandSpec> = {
  'add-user': {
    usage: 'bin/add-user <username> [--display-name NAME]',
    summary: 'Adds a family member and joins them to the Family room. The password is read from the terminal\n(hidden) or, when stdin is not a terminal, from its first line.',
    positionals: ['username'],
    options: { 'display-name': { type: 'string' } },
    password: 'Password for the new user'
  },
  'reset-password': {
    usage: 'bin/reset-password <username>',
    summary: 'Sets a new password (read like add-user\'s) and logs the user out everywhere.',
    positionals: ['username'],
    options: {},
    password: 'New password'
  },
  'disable-user': {
    usage: 'bin/disable-user <username> [--enable]',
    summary: 'Stops a user logging in, revokes their sessions and closes their sockets. --enable undoes it.',
    positionals: ['username'],
    options: { enable: { type: 'boolean' } }
  },
  'list-users': {
    usage: 'bin/list-users',
    summary: 'Lists every user, active or disabled.',
    positionals: [],
    options: {}
  },
  'create-room': {
    usage: 'bin/create-room <name> [--member USERNAME]...',
    summary: 'Creates a group room with the given members.',
    positionals: ['name'],
    options: { member: { type: 'string', multiple: true } }
  },
  backup: {
    usage: 'bin/backup [--out FILE]',
    summary: 'Writes one archive (mode 0600) of the whole family: users, rooms, every message, read markers,\nphotos and avatars, consistent at one moment. Default FILE: family-chat-<time>.tar in BACKUP_DIR,\nor else in the current directory. Restore it with bin/restore.',
    positionals: [],
    options: { out: { type: 'string' } }
  },
  'add-member': {
    usage: 'bin/add-member <room name or id> <username>',
    summary: 'Adds a user to a group room.',
    positionals: ['room', 'username'],
    options: {}
  }
}

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())

/** Exit codes: 0 done, 1 failed, 2 usage error. */
export async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!isAdminCommand(command)) {
    console.error(`unknown command ${String(command)}; one of: ${Object.keys(SPECS).join(', ')}`)
    return 2
  }
  const spec = SPECS[command]
  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { ...spec.options, help: { type: 'boolean', short: 'h' } } })
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: ${spec.usage}`)
    return 2
  }
  if (parsed.values.help === true) {
    console.log(`usage: ${spec.usage}\n\n${spec.summary}\n\nUses the server's environment (DATA_DIR, DATABASE_URL). Works whether the server is running or not.`)
    return 0
  }
  if (parsed.positionals.length !== spec.positionals.length) {
    console.error(`usage: ${spec.usage}`)
    return 2
  }

  const args: AdminRequest['args'] = {}
  spec.positionals.forEach((name, i) => { args[name] = parsed.positionals[i] })
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (flag === 'help') continue
    const key = flag === 'member' ? 'members' : camel(flag)
    args[key] = typeof value === 'boolean' ? String(value) : value
  }

  try {
    const config = loadConfig()
    if (spec.password !== undefined) args.password = await readPassword(spec.password)
    if (command === 'backup') args.out = resolve(typeof args.out === 'string' ? args.out : defaultBackupPath(config.backup?.dir ?? '.'))
    const request = { command, args }
    const viaServer = await sendAdminRequest(adminSocketPath(config.dataDir), request)
    if (viaServer !== null) {
      if (!viaServer.ok) throw new AdminError(viaServer.output)
      console.log(viaServer.output)
      console.log(`(${whereTo(config)}, through the server running on it)`)
      return 0
    }
    // No server running: open the database ourselves (taking the embedded database's lock).
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
    try {
      await database.migrate()
      const backup = backupWith(database, async () => (await openMediaStore({ dataDir: config.dataDir, secret: config.jwtSecret, cloudinaryUrl: config.cloudinaryUrl })).store)
      console.log(await adminCommands[command]({ db: database.db, onRevoked: () => {}, backup }, args))
      console.log(`(${whereTo(config)}; no server is running on it)`)
    } finally {
      await database.close()
    }
    return 0
  } catch (err) {
    if (err instanceof AdminError || err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(`${command}: ${err.message}`)
      return 1
    }
    console.error(`${command}: failed:`, err instanceof Error ? err.message : err)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
