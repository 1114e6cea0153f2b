import { isAbsolute } from 'node:path'
import { addRoomMember, findRoomByName, insertGroupRoom } from '../../db/queries/rooms.js'
import { revokeSessions } from '../../db/queries/sessions.js'
import { findUserByUsername, insertUser, listUsers, setUserDisabled, updatePasswordHash } from '../../db/queries/users.js'
import { isUuid } from '../../db/ids.js'
import type { Db } from '../../db/types.js'
import { ArchiveError } from '../backup/archive.js'
import { hashPassword, passwordProblem } from '../auth/passwords.js'
import { USERNAME_PATTERN } from '../schemas/user.js'

/** A failure the admin must read (bad input, unknown user…): printed, exit code 1. */
export class AdminError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'AdminError'
  }
}

export interface AdminContext {
  db: Db
  /** Tells the running server (when there is one) to drop sessions and close their sockets. */
  onRevoked (sessionIds: string[], userId: string): void
  /** Tells the running server (when there is one) that users joined a room: their sockets follow. */
  onJoined? (roomId: string, userIds: string[]): void
  /** Writes a backup to an absolute path and describes it (the server's, or bin/'s own when none runs). */
  backup? (out: string): Promise<string>
}

export interface AdminRequest {
  command: AdminCommandName
  args: Record<string, string | string[] | undefined>
}

const USERNAME = new RegExp(USERNAME_PATTERN)

function normaliseUsername (raw: unknown): string {
  const username = String(raw ?? '').trim().toLowerCase()
  if (!USERNAME.test(username)) {
    throw new AdminError(`invalid username "${String(raw ?? '')}": use 3-32 characters of a-z, 0-9, ".", "_" and "-"`)
  }
  return username
}

function checkPassword (raw: unknown): string {
  if (typeof raw !== 'string') throw new AdminError('a password is required')
  const problem = passwordProblem(raw)
  if (problem !== null) throw new AdminError(problem)
  return raw
}

async function requireUser (db: Db, username: unknown) {
  const user = await findUserByUsername(db, normaliseUsername(username))
  if (user === undefined) throw new AdminError(`no user named "${String(username)}"`)
  return user
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/** Every admin command's logic; the bin/ scripts and the server's admin socket both call these. */
export const adminCommands = {
  async 'add-user' ({ db }: AdminContext, args: AdminRequest['args']): Promise<string> {
    const username = normaliseUsername(args.username)
    const password = checkPassword(args.password)
    const displayName = typeof args.displayName === 'string' && args.displayName.trim() !== ''
      ? args.displayName.trim().slice(0, 64)
      : username
    const user = await insertUser(db, { username, displayName, passwordHash: await hashPassword(password) })
    if (user === undefined) throw new AdminError(`user "${username}" already exists`)
    return `created user ${user.username} (${user.id}) and added them to Family`
  },

  async 'reset-password' (ctx: AdminContext, args: AdminRequest['args']): Promise<string> {
    const user = await requireUser(ctx.db, args.username)
    const password = checkPassword(args.password)
    await updatePasswordHash(ctx.db, user.id, await hashPassword(password))
    const revoked = await revokeSessions(ctx.db, user.id, 'all')
    ctx.onRevoked(revoked, user.id)
    return `password of ${user.username} reset; ${revoked.length} session(s) logged out`
  },

  async 'disable-user' (ctx: AdminContext, args: AdminRequest['args']): Promise<string> {
    const user = await requireUser(ctx.db, args.username)
    const enable = args.enable === 'true'
    await setUserDisabled(ctx.db, user.id, !enable)
    if (enable) return `${user.username} can log in again`
    const revoked = await revokeSessions(ctx.db, user.id, 'all')
    ctx.onRevoked(revoked, user.id)
    return `${user.username} disabled; ${revoked.length} session(s) logged out`
  },

  async 'list-users' ({ db }: AdminContext): Promise<string> {
    const users = await listUsers(db)
    if (users.length === 0) return 'no users yet: add one with bin/add-user <username>'
    const width = Math.max(8, ...users.map((u) => u.username.length))
    return users.map((u) =>
      `${u.username.padEnd(width)}  ${u.disabledAt === null ? 'active  ' : 'disabled'}  ${u.displayName}  (${u.id})`
    ).join('\n')
  },

  async 'create-room' ({ db, onJoined }: AdminContext, args: AdminRequest['args']): Promise<string> {
    const name = String(args.name ?? '').trim()
    if (name === '' || [...name].length > 64) throw new AdminError('a room name of 1-64 characters is required')
    if ((await findRoomByName(db, name)).length > 0) throw new AdminError(`a group room named "${name}" already exists`)
    const members = await Promise.all(asList(args.members).map((m) => requireUser(db, m)))
    const memberIds = [...new Set(members.map((m) => m.id))]
    const room = await insertGroupRoom(db, name, memberIds)
    if (memberIds.length > 0) onJoined?.(room.id, memberIds)
    return `created room "${room.name}" (${room.id}) with ${memberIds.length} member(s)`
  },

  async 'add-member' ({ db, onJoined }: AdminContext, args: AdminRequest['args']): Promise<string> {
    const roomArg = String(args.room ?? '').trim()
    const user = await requireUser(db, args.username)
    const byName = await findRoomByName(db, roomArg)
    if (byName.length > 1) throw new AdminError(`several rooms are named "${roomArg}": pass the room's id`)
    const roomId = byName[0]?.id ?? (isUuid(roomArg) ? roomArg : undefined)
    if (roomId === undefined || !await addRoomMember(db, roomId, user.id)) {
      throw new AdminError(`no group room "${roomArg}", or ${user.username} is already in it`)
    }
    onJoined?.(roomId, [user.id])
    return `added ${user.username} to "${byName[0]?.name ?? roomArg}"`
  },

  async backup ({ backup }: AdminContext, args: AdminRequest['args']): Promise<string> {
    if (backup === undefined) throw new AdminError('this server cannot write backups')
    const out = args.out
    if (typeof out !== 'string' || !isAbsolute(out)) throw new AdminError('the backup\'s path must be absolute')
    try {
      return await backup(out)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (err instanceof ArchiveError || ['ENOENT', 'EACCES', 'ENOTDIR', 'EEXIST'].includes(code ?? '')) {
        throw new AdminError(`cannot write ${out}: ${(err as Error).message}`)
      }
      throw err
    }
  }
} satisfies Record<string, (ctx: AdminContext, args: AdminRequest['args']) => Promise<string>>

export type AdminCommandName = keyof typeof adminCommands

export const isAdminCommand = (name: unknown): name is AdminCommandName =>
  typeof name === 'string' && Object.hasOwn(adminCommands, name)
