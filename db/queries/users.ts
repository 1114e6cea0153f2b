import { asc, eq } from 'drizzle-orm'
import { users, type NewUserRow, type UserRow } from '../schema/index.js'
import type { Db } from '../types.js'
import { joinFamilyRoom } from './rooms.js'

export async function findUserByUsername (db: Db, username: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.username, username.toLowerCase())).limit(1)
  return row
}

export async function findUserById (db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1)
  return row
}

export function listUsers (db: Db): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.username))
}

/** Inserts the user and joins them to the Family room, atomically. Returns undefined if the username is taken. */
export async function insertUser (db: Db, values: NewUserRow): Promise<UserRow | undefined> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.insert(users).values(values).onConflictDoNothing({ target: users.username }).returning()
    if (row !== undefined) await joinFamilyRoom(tx, row.id)
    return row
  })
}

export async function updatePasswordHash (db: Db, userId: string, passwordHash: string): Promise<boolean> {
  const rows = await db.update(users).set({ passwordHash }).where(eq(users.id, userId)).returning({ id: users.id })
  return rows.length > 0
}

export async function updateDisplayName (db: Db, userId: string, displayName: string): Promise<UserRow | undefined> {
  const [row] = await db.update(users).set({ displayName }).where(eq(users.id, userId)).returning()
  return row
}

/** Sets (or with nulls clears) the profile photo; answers the row before and after. */
export async function updateAvatar (db: Db, userId: string, keys: { avatarKey: string | null, avatarThumbKey: string | null }): Promise<{ before: UserRow, after: UserRow } | undefined> {
  return await db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, userId)).for('update')
    if (before === undefined) return undefined
    const [after] = await tx.update(users).set(keys).where(eq(users.id, userId)).returning()
    return { before, after: after! }
  })
}

export async function setUserDisabled (db: Db, userId: string, disabled: boolean): Promise<boolean> {
  const rows = await db.update(users).set({ disabledAt: disabled ? new Date() : null })
    .where(eq(users.id, userId)).returning({ id: users.id })
  return rows.length > 0
}
