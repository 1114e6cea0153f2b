import { and, eq, gt, inArray, isNull, ne, or, lte, sql } from 'drizzle-orm'
import { pushKeys, pushSubscriptions, roomMembers, rooms, sessions, users, type PushPreview, type PushSubscriptionRow, type RoomKind } from '../schema/index.js'
import type { Db } from '../types.js'

export interface VapidKeys {
  publicKey: string
  privateKey: string
}

/** The stored key pair; `generate` makes one if there is none yet (the first instance to store wins). */
export async function readOrCreatePushKeys (db: Db, generate: () => VapidKeys): Promise<VapidKeys> {
  const [stored] = await db.select({ publicKey: pushKeys.publicKey, privateKey: pushKeys.privateKey }).from(pushKeys).limit(1)
  if (stored !== undefined) return stored
  await db.insert(pushKeys).values({ id: 1, ...generate() }).onConflictDoNothing()
  const [kept] = await db.select({ publicKey: pushKeys.publicKey, privateKey: pushKeys.privateKey }).from(pushKeys).limit(1)
  return kept!
}

export interface NewSubscription {
  sessionId: string
  userId: string
  endpoint: string
  p256dh: string
  auth: string
  preview: PushPreview
}

/** Registers a session's device; an endpoint registered by another session moves to this one. */
export async function upsertSubscription (db: Db, subscription: NewSubscription): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, subscription.endpoint), ne(pushSubscriptions.sessionId, subscription.sessionId)))
    const { sessionId: _, ...changes } = subscription
    await tx.insert(pushSubscriptions).values(subscription)
      .onConflictDoUpdate({ target: pushSubscriptions.sessionId, set: { ...changes, updatedAt: sql`now()` } })
  })
}

export async function deleteSubscriptionOfSession (db: Db, sessionId: string): Promise<boolean> {
  const rows = await db.delete(pushSubscriptions).where(eq(pushSubscriptions.sessionId, sessionId)).returning({ sessionId: pushSubscriptions.sessionId })
  return rows.length > 0
}

/** What a push service said is gone (404/410); a newer registration of the same device is kept. */
export async function deleteSubscription (db: Db, sessionId: string, endpoint: string): Promise<void> {
  await db.delete(pushSubscriptions).where(and(eq(pushSubscriptions.sessionId, sessionId), eq(pushSubscriptions.endpoint, endpoint)))
}

export async function deleteSubscriptionsOfSessions (db: Db, sessionIds: readonly string[]): Promise<void> {
  if (sessionIds.length === 0) return
  await db.delete(pushSubscriptions).where(inArray(pushSubscriptions.sessionId, [...sessionIds]))
}

const liveSession = and(
  eq(sessions.id, pushSubscriptions.sessionId),
  isNull(sessions.revokedAt),
  gt(sessions.expiresAt, sql`now()`)
)

/** The session's subscription, while the session is live. */
export async function findSubscriptionOfSession (db: Db, sessionId: string): Promise<PushSubscriptionRow | undefined> {
  const [row] = await db.select({ subscription: pushSubscriptions }).from(pushSubscriptions)
    .innerJoin(sessions, liveSession)
    .where(eq(pushSubscriptions.sessionId, sessionId)).limit(1)
  return row?.subscription
}

/**
 * The devices to notify of the room's new messages: the subscriptions of live sessions of every
 * member who has not silenced it (notify 'none', or muted until later). The sender of each
 * message is left out by the caller.
 */
export async function listPushTargets (db: Db, roomId: string): Promise<PushSubscriptionRow[]> {
  // From the subscriptions (a few per family) to their memberships, not from the room's members.
  const rows = await db.select({ subscription: pushSubscriptions }).from(pushSubscriptions)
    .innerJoin(roomMembers, and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, pushSubscriptions.userId)))
    .innerJoin(sessions, liveSession)
    .innerJoin(users, and(eq(users.id, pushSubscriptions.userId), isNull(users.disabledAt)))
    .where(and(
      eq(roomMembers.notify, 'all'),
      or(isNull(roomMembers.mutedUntil), lte(roomMembers.mutedUntil, sql`now()`))
    ))
  return rows.map((r) => r.subscription)
}

/** App badges show "99+" past this: counting further would only cost the database. */
export const BADGE_CAP = 100
/** How many messages after a member's read marker the badge looks at in each room. */
export const BADGE_WINDOW = 2 * BADGE_CAP

/**
 * Each user's unread count over all their rooms, for the app badge: in each room, the messages of
 * others among the BADGE_WINDOW after the read marker, at most BADGE_CAP. It can only undercount
 * when more than half of those are the member's own or deleted, and then still says "many".
 */
export async function totalUnread (db: Db, userIds: readonly string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map()
  const rows = await totalUnreadQuery(db, userIds)
  return new Map(rows.map((r) => [r.userId, r.unread]))
}

/** The badge query alone (scripts/explain-history.ts shows its plan). */
export function totalUnreadQuery (db: Db, userIds: readonly string[]) {
  // A range bounded on both sides of the (room_id, seq) index: whatever plan is chosen — PGlite
  // never gathers statistics — it reads at most BADGE_WINDOW rows. Counting the open range
  // `seq > marker` to a limit made PGlite sort every unread message first.
  const unread = sql<number>`coalesce(sum((
    select least(count(*), ${BADGE_CAP}) from messages msg
    where msg.room_id = ${roomMembers.roomId}
      and msg.seq > ${roomMembers.lastReadSeq} and msg.seq <= ${roomMembers.lastReadSeq} + ${BADGE_WINDOW}
      and msg.sender_id <> ${roomMembers.userId} and msg.deleted_at is null
  )), 0)::int`
  // The join also makes drizzle qualify the columns above, which unqualified would bind to `msg`.
  return db.select({ userId: roomMembers.userId, unread }).from(roomMembers)
    .innerJoin(users, eq(users.id, roomMembers.userId))
    .where(inArray(roomMembers.userId, [...userIds]))
    .groupBy(roomMembers.userId)
}

export interface PushRoom {
  kind: RoomKind
  name: string
}

/** What a notification says about the room. */
export async function findPushRoom (db: Db, roomId: string): Promise<PushRoom | undefined> {
  const [room] = await db.select({ kind: rooms.kind, name: rooms.name }).from(rooms).where(eq(rooms.id, roomId)).limit(1)
  return room
}

/** The users' display names, by id. */
export async function findDisplayNames (db: Db, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map()
  const rows = await db.select({ id: users.id, displayName: users.displayName }).from(users).where(inArray(users.id, [...userIds]))
  return new Map(rows.map((u) => [u.id, u.displayName]))
}
