import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm'
import { sessions, users, type SessionRow } from '../schema/index.js'
import { isUuid } from '../ids.js'
import type { Db } from '../types.js'
import { deleteSubscriptionsOfSessions } from './push.js'

export async function insertSession (db: Db, values: { userId: string, userAgent: string | null, expiresAt: Date }): Promise<SessionRow> {
  const [row] = await db.insert(sessions).values(values).returning()
  return row!
}

export interface LiveSession {
  id: string
  userId: string
  expiresAt: Date
}

/**
 * Marks the session seen and returns it if it is live: not revoked, not expired, its user not
 * disabled. One statement, so the liveness check and the touch cost a single round trip.
 */
export async function touchLiveSession (db: Db, id: string): Promise<LiveSession | undefined> {
  const [row] = await db.update(sessions).set({ lastSeenAt: sql`now()` })
    .from(users)
    .where(and(
      eq(sessions.id, id),
      eq(users.id, sessions.userId),
      isNull(sessions.revokedAt),
      isNull(users.disabledAt),
      gt(sessions.expiresAt, sql`now()`)
    ))
    .returning({ id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt })
  return row
}

export function listLiveSessions (db: Db, userId: string): Promise<SessionRow[]> {
  return db.select().from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(sessions.lastSeenAt))
}

/**
 * Revokes the user's live sessions matching `which` and deletes their push subscriptions (a lost
 * phone stops buzzing); returns the ids actually revoked.
 */
export async function revokeSessions (
  db: Db,
  userId: string,
  which: { only: string } | { except: string } | 'all'
): Promise<string[]> {
  if (typeof which === 'object' && !isUuid('only' in which ? which.only : which.except)) return []
  const scope = which === 'all'
    ? undefined
    : 'only' in which ? eq(sessions.id, which.only) : ne(sessions.id, which.except)
  return await db.transaction(async (tx) => {
    const rows = await tx.update(sessions).set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), scope))
      .returning({ id: sessions.id })
    const ids = rows.map((r) => r.id)
    await deleteSubscriptionsOfSessions(tx, ids)
    return ids
  })
}
