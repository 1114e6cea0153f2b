import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { roomMembers, rooms, type NotifyLevel, type RoomKind, type RoomRow } from '../schema/index.js'
import type { Db } from '../types.js'

export const FAMILY_ROOM_NAME = 'Family'
/** Unread counts stop here: counting is bounded by this, never by the room's history. */
export const UNREAD_CAP = 1000

export interface RoomView {
  id: string
  name: string
  kind: RoomKind
  lastSeq: number
  lastReadSeq: number
  unread: number
  members: string[]
  /** Each member's read marker, so a client can show which of its messages the others have read. */
  memberReadSeqs: Record<string, number>
  /** The viewer's notification settings for the room. */
  notify: NotifyLevel
  mutedUntil: string | null
}

export interface RoomNotifications {
  notify?: NotifyLevel
  /** null: not muted. */
  mutedUntil?: Date | null
}

/** Changes a member's notification settings for a room; false when they are not a member of it. */
export async function setRoomNotifications (db: Db, roomId: string, userId: string, settings: RoomNotifications): Promise<boolean> {
  const where = and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId))
  if (settings.notify === undefined && settings.mutedUntil === undefined) return await isRoomMember(db, roomId, userId)
  const rows = await db.update(roomMembers).set(settings).where(where).returning({ roomId: roomMembers.roomId })
  return rows.length > 0
}

/** Every room's last event number (`last_seq`). */
export async function listRoomLastSeqs (db: Db): Promise<Map<string, number>> {
  const rows = await db.select({ id: rooms.id, lastSeq: rooms.lastSeq }).from(rooms)
  return new Map(rows.map((r) => [r.id, r.lastSeq]))
}

/** Creates the Family room on a fresh install; safe to call on every start. */
export async function ensureFamilyRoom (db: Db): Promise<string> {
  await db.insert(rooms).values({ name: FAMILY_ROOM_NAME, kind: 'group', isFamily: true })
    .onConflictDoNothing({ target: rooms.isFamily, where: sql`${rooms.isFamily}` })
  return await familyRoomId(db)
}

export async function familyRoomId (db: Db): Promise<string> {
  const [row] = await db.select({ id: rooms.id }).from(rooms).where(eq(rooms.isFamily, true)).limit(1)
  if (row === undefined) throw new Error('the Family room is missing: migrations have not run')
  return row.id
}

export async function joinFamilyRoom (db: Db, userId: string): Promise<void> {
  await addRoomMember(db, await familyRoomId(db), userId)
}

/**
 * Adds a member to a group room; they start caught up (nothing unread from before they joined).
 * False when the room is not a group room or they are already in it.
 */
export async function addRoomMember (db: Db, roomId: string, userId: string): Promise<boolean> {
  const rows = await db.insert(roomMembers)
    .select(db.select({
      roomId: rooms.id,
      userId: sql<string>`${userId}::uuid`.as('user_id'),
      lastReadSeq: rooms.lastSeq,
      joinedAt: sql<Date>`now()`.as('joined_at'),
      notify: sql<NotifyLevel>`'all'`.as('notify'),
      mutedUntil: sql<Date | null>`null::timestamptz`.as('muted_until')
    }).from(rooms).where(and(eq(rooms.id, roomId), eq(rooms.kind, 'group'))))
    .onConflictDoNothing()
    .returning({ roomId: roomMembers.roomId })
  return rows.length > 0
}

export async function insertGroupRoom (db: Db, name: string, memberIds: string[]): Promise<RoomRow> {
  return await db.transaction(async (tx) => {
    const [room] = await tx.insert(rooms).values({ name, kind: 'group' }).returning()
    if (memberIds.length > 0) {
      await tx.insert(roomMembers).values(memberIds.map((userId) => ({ roomId: room!.id, userId })))
    }
    return room!
  })
}

export async function findRoomByName (db: Db, name: string): Promise<RoomRow[]> {
  return db.select().from(rooms).where(and(eq(rooms.name, name), eq(rooms.kind, 'group')))
}

export async function isRoomMember (db: Db, roomId: string, userId: string): Promise<boolean> {
  const [row] = await db.select({ roomId: roomMembers.roomId }).from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId))).limit(1)
  return row !== undefined
}

/** The room's last event number if `userId` is a member, else undefined: membership and lastSeq in one read. */
export async function lastSeqForMember (db: Db, roomId: string, userId: string): Promise<number | undefined> {
  const [row] = await db.select({ lastSeq: rooms.lastSeq }).from(roomMembers)
    .innerJoin(rooms, eq(rooms.id, roomMembers.roomId))
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId))).limit(1)
  return row?.lastSeq
}

/** Everyone who shares a room with `userId`, `userId` included (who must hear of a profile change). */
export async function listRoomMates (db: Db, userId: string): Promise<string[]> {
  const mine = db.select({ roomId: roomMembers.roomId }).from(roomMembers).where(eq(roomMembers.userId, userId))
  const rows = await db.selectDistinct({ userId: roomMembers.userId }).from(roomMembers).where(inArray(roomMembers.roomId, mine))
  return rows.map((r) => r.userId)
}

export async function listRoomIdsOfUser (db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ roomId: roomMembers.roomId }).from(roomMembers).where(eq(roomMembers.userId, userId))
  return rows.map((r) => r.roomId)
}

/** The rooms query alone (exported so scripts/explain-history.ts can EXPLAIN it). */
export function roomsOfUserQuery (db: Db, userId: string, onlyRoomId?: string) {
  // The unread count walks the (room_id, seq) index from the read marker, at most UNREAD_CAP rows;
  // `order by seq` keeps the planner on that index (without it, it may scan the table).
  const unread = sql<number>`(
    select count(*)::int from (
      select 1 from messages msg
      where msg.room_id = ${rooms.id} and msg.seq > ${roomMembers.lastReadSeq}
        and msg.sender_id <> ${userId}::uuid and msg.deleted_at is null
      order by msg.seq
      limit ${UNREAD_CAP}
    ) capped
  )`
  // A direct room is named, for each viewer, after the other member.
  const name = sql<string>`case when ${rooms.kind} = 'direct' then coalesce((
    select u.display_name from room_members other join users u on u.id = other.user_id
    where other.room_id = ${rooms.id} and other.user_id <> ${userId}::uuid limit 1
  ), '') else ${rooms.name} end`
  return db.select({
    id: rooms.id,
    name,
    kind: rooms.kind,
    isFamily: rooms.isFamily,
    lastSeq: rooms.lastSeq,
    lastReadSeq: roomMembers.lastReadSeq,
    unread,
    notify: roomMembers.notify,
    mutedUntil: roomMembers.mutedUntil
  }).from(roomMembers)
    .innerJoin(rooms, eq(rooms.id, roomMembers.roomId))
    .where(and(eq(roomMembers.userId, userId), onlyRoomId === undefined ? undefined : eq(rooms.id, onlyRoomId)))
    .orderBy(sql`${rooms.isFamily} desc`, asc(rooms.createdAt), asc(rooms.id))
}

/** The rooms `userId` belongs to (all of them, or just `onlyRoomId`), as the contract's Room. */
export async function listRoomsOfUser (db: Db, userId: string, onlyRoomId?: string): Promise<RoomView[]> {
  const rows = await roomsOfUserQuery(db, userId, onlyRoomId)
  if (rows.length === 0) return []

  const members = await db.select({ roomId: roomMembers.roomId, userId: roomMembers.userId, lastReadSeq: roomMembers.lastReadSeq })
    .from(roomMembers)
    .where(inArray(roomMembers.roomId, rows.map((r) => r.id)))
    .orderBy(asc(roomMembers.joinedAt), asc(roomMembers.userId))
  const byRoom = new Map<string, { members: string[], memberReadSeqs: Record<string, number> }>()
  for (const m of members) {
    let entry = byRoom.get(m.roomId)
    if (entry === undefined) byRoom.set(m.roomId, entry = { members: [], memberReadSeqs: {} })
    entry.members.push(m.userId)
    entry.memberReadSeqs[m.userId] = m.lastReadSeq
  }
  return rows.map(({ isFamily: _, mutedUntil, ...room }) => ({
    ...room,
    mutedUntil: mutedUntil?.toISOString() ?? null,
    ...(byRoom.get(room.id) ?? { members: [], memberReadSeqs: {} })
  }))
}

export async function findDirectRoom (db: Db, directKey: string): Promise<RoomRow | undefined> {
  const [row] = await db.select().from(rooms).where(eq(rooms.directKey, directKey)).limit(1)
  return row
}

/** Get-or-create under concurrency: the unique direct_key decides the one winner. */
export async function ensureDirectRoom (db: Db, a: string, b: string): Promise<{ roomId: string, created: boolean }> {
  const directKey = [a, b].sort().join(':')
  return await db.transaction(async (tx) => {
    const [created] = await tx.insert(rooms).values({ name: '', kind: 'direct', directKey })
      .onConflictDoNothing({ target: rooms.directKey }).returning({ id: rooms.id })
    if (created !== undefined) {
      await tx.insert(roomMembers).values([...new Set([a, b])].map((userId) => ({ roomId: created.id, userId })))
      return { roomId: created.id, created: true }
    }
    const existing = await findDirectRoom(tx, directKey)
    return { roomId: existing!.id, created: false }
  })
}

/** Moves the read marker forward only, never past the room's last event. Returns the new marker. */
export async function advanceReadMarker (db: Db, roomId: string, userId: string, seq: number): Promise<{ moved: boolean, seq: number } | undefined> {
  const [row] = await db.update(roomMembers)
    .set({ lastReadSeq: sql`least(${seq}, (select ${rooms.lastSeq} from ${rooms} where ${rooms.id} = ${roomId}))` })
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId), sql`${roomMembers.lastReadSeq} < ${seq}`))
    .returning({ seq: roomMembers.lastReadSeq })
  if (row !== undefined) return { moved: true, seq: row.seq }
  const [current] = await db.select({ seq: roomMembers.lastReadSeq }).from(roomMembers)
    .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId))).limit(1)
  return current === undefined ? undefined : { moved: false, seq: current.seq }
}
