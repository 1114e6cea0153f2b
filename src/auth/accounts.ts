import { findUserById, findUserByUsername, listUsers, updateAvatar, updateDisplayName, updatePasswordHash } from '../../db/queries/users.js'
import type { UserRow } from '../../db/schema/index.js'
import type { ImagePipeline } from '../media/image-pipeline.js'
import type { MediaStore } from '../media/media-store.js'
import { listRoomMates } from '../../db/queries/rooms.js'
import type { Db } from '../../db/types.js'
import { invalidCredentials, unauthorized, validation } from '../errors.js'
import { isStorableText } from '../schemas/common.js'
import type { User } from '../schemas/user.js'
import { hashPassword, verifyPassword } from './passwords.js'
import type { SessionService } from './session-service.js'

/** A member's profile changed: `roomMates` (themselves included) must be told. */
export type ProfileListener = (user: User, roomMates: string[]) => void

export const DISPLAY_NAME_MAX = 64

/** A display name as typed: control characters out, outer whitespace trimmed, 1–64 code points. */
function displayNameOf (raw: string): string {
  // eslint-disable-next-line no-control-regex
  const name = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  const length = [...name].length
  if (length === 0 || length > DISPLAY_NAME_MAX) throw validation(`displayName must be 1–${DISPLAY_NAME_MAX} characters`)
  return name
}

/** Where profile photos are made safe and kept: the same pipeline and store as message photos. */
export interface ProfileMedia {
  store: MediaStore
  pipeline: ImagePipeline
  /** Where removing an old photo's files reports a failure (the profile has changed regardless). */
  log: { error (obj: object, msg: string): void }
}

/** Family members as they see each other, and what a member does with their own account. */
export function createAccounts (db: Db, sessions: SessionService, media: ProfileMedia) {
  const profileListeners = new Set<ProfileListener>()

  /** A stored account as the family sees it: never its password hash or state; the photo signed. */
  const toUserDto = (row: UserRow): User => ({
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    avatarUrl: row.avatarKey === null || row.avatarThumbKey === null ? null : media.store.urls({ imageKey: row.avatarKey, thumbKey: row.avatarThumbKey }).url
  })

  async function discard (keys: Array<string | null>): Promise<void> {
    const present = keys.filter((k): k is string => k !== null)
    if (present.length === 0) return
    await media.store.remove(present).catch((err: unknown) => media.log.error({ err, keys: present }, 'could not remove an old profile photo'))
  }

  /** Stores the new keys, then lets the old photo's files go and tells the room mates. */
  async function replaceAvatar (userId: string, keys: { avatarKey: string | null, avatarThumbKey: string | null }): Promise<User> {
    const changed = await updateAvatar(db, userId, keys)
    if (changed === undefined) {
      await discard([keys.avatarKey, keys.avatarThumbKey])
      throw unauthorized()
    }
    const user = toUserDto(changed.after)
    // Removing a photo one does not have changes nothing, and nobody is told.
    if (changed.before.avatarKey === keys.avatarKey) return user
    await discard([changed.before.avatarKey, changed.before.avatarThumbKey])
    await announce(user)
    return user
  }

  async function announce (user: User): Promise<void> {
    const roomMates = await listRoomMates(db, user.id)
    for (const listener of profileListeners) listener(user, roomMates)
  }

  return {
    /** Renames the member; everyone sharing a room with them hears of it. */
    async rename (userId: string, rawName: string): Promise<User> {
      const row = await updateDisplayName(db, userId, displayNameOf(rawName))
      if (row === undefined) throw unauthorized()
      const user = toUserDto(row)
      await announce(user)
      return user
    },

    /** A new profile photo through the image pipeline (same formats, limits, metadata stripping). */
    async setAvatar (userId: string, file: Buffer): Promise<User> {
      const stored = await media.store.put(await media.pipeline.avatar(file))
      return await replaceAvatar(userId, { avatarKey: stored.imageKey, avatarThumbKey: stored.thumbKey })
    },

    async removeAvatar (userId: string): Promise<User> {
      return await replaceAvatar(userId, { avatarKey: null, avatarThumbKey: null })
    },

    onProfileChanged (listener: ProfileListener): () => void {
      profileListeners.add(listener)
      return () => profileListeners.delete(listener)
    },

    /**
     * Checks the credentials and opens a session. Unknown user, disabled user and wrong password
     * all fail the same way, after the same argon2 work.
     */
    async login (credentials: { username: string, password: string }, userAgent: string | null): Promise<{ user: User, sessionId: string }> {
      // A name the database could not hold is nobody's, and must be answered like any unknown one.
      const row = isStorableText(credentials.username) ? await findUserByUsername(db, credentials.username) : undefined
      const usable = row !== undefined && row.disabledAt === null
      const ok = await verifyPassword(usable ? row.passwordHash : undefined, credentials.password)
      if (!ok || !usable) throw invalidCredentials()
      const session = await sessions.open(row.id, userAgent)
      return { user: toUserDto(row), sessionId: session.id }
    },

    /** Verifies the current password, stores the new hash and revokes every other session. */
    async changePassword (
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
    },

    /** The member, or undefined when the account is gone. */
    async find (userId: string): Promise<User | undefined> {
      const row = await findUserById(db, userId)
      return row === undefined ? undefined : toUserDto(row)
    },

    /** Every member whose account is enabled. */
    async family (): Promise<User[]> {
      return (await listUsers(db)).filter((u) => u.disabledAt === null).map(toUserDto)
    }
  }
}

export type Accounts = ReturnType<typeof createAccounts>
