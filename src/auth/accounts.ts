import { findUserById, findUserByUsername, updatePasswordHash } from '../../db/queries/users.js'
import type { Db } from '../../db/types.js'
import { invalidCredentials, unauthorized } from '../errors.js'
import { toUserDto, type User } from '../schemas/user.js'
import { hashPassword, verifyPassword } from './passwords.js'
import type { SessionService } from './session-service.js'

/**
 * Checks the credentials and opens a session. Unknown user, disabled user and wrong password
 * all fail the same way, after the same argon2 work.
 */
export async function login (
  db: Db,
  sessions: SessionService,
  credentials: { username: string, password: string },
  userAgent: string | null
): Promise<{ user: User, sessionId: string }> {
  const row = await findUserByUsername(db, credentials.username)
  const usable = row !== undefined && row.disabledAt === null
  const ok = await verifyPassword(usable ? row.passwordHash : undefined, credentials.password)
  if (!ok || !usable) throw invalidCredentials()
  const session = await sessions.open(row.id, userAgent)
  return { user: toUserDto(row), sessionId: session.id }
}

/** Verifies the current password, stores the new hash and revokes every other session. */
export async function changePassword (
  db: Db,
  sessions: SessionService,
  auth: { userId: string, sessionId: string },
  passwords: { currentPassword: string, newPassword: string },
  /** Counts the attempt against the member's limit (throws when it is spent), before the check. */
  countAttempt: (username: string) => Promise<void>
): Promise<void> {
  const row = await findUserById(db, auth.userId)
  if (row === undefined) throw unauthorized()
  await countAttempt(row.username)
  if (!await verifyPassword(row.passwordHash, passwords.currentPassword)) {
    throw invalidCredentials('The current password is wrong')
  }
  await updatePasswordHash(db, row.id, await hashPassword(passwords.newPassword))
  await sessions.revoke(row.id, { except: auth.sessionId })
}
