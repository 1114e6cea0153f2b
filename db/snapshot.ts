import { count, sql, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import { messages, roomMembers, rooms, users } from './schema/index.js'
import type { Db } from './types.js'

/** Where a snapshot's job reads a table from (the table itself, or a copy of it). */
export type SnapshotSource = (table: string) => string

/** PostgreSQL: one REPEATABLE READ, READ ONLY transaction; every read in `job` sees the same moment. */
export function readOnlySnapshot<T> (db: Db, job: (db: Db, source: SnapshotSource) => Promise<T>): Promise<T> {
  return db.transaction((tx) => job(tx, (table) => table), { isolationLevel: 'repeatable read', accessMode: 'read only' })
}

// Numbered, so two backups at once (a scheduled one and bin/backup) each have their own copies.
let copies = 0

/**
 * PGlite has one connection: a transaction held while a backup reads (1.3 s per 100,000 messages,
 * then more while the archive is written) would hold every writer for that long. Instead the
 * tables are copied into temporary tables in one transaction (about 0.1 s per 100,000 messages),
 * and the job reads the copies while the server carries on.
 */
export async function copiedSnapshot<T> (db: Db, job: (db: Db, source: SnapshotSource) => Promise<T>): Promise<T> {
  const n = ++copies
  const copyOf = (table: string): string => `fc_backup_${n}_${table}`
  await db.transaction(async (tx) => {
    for (const spec of BACKUP_TABLES) {
      await tx.execute(sql`create temp table ${sql.identifier(copyOf(spec.name))} as select * from ${sql.identifier(spec.name)}`)
    }
  }, { isolationLevel: 'repeatable read' })
  try {
    return await job(db, copyOf)
  } finally {
    for (const spec of BACKUP_TABLES) await db.execute(sql`drop table if exists ${sql.identifier(copyOf(spec.name))}`)
  }
}

export interface BackupTable {
  /** The table's SQL name, which is also its name in an archive. */
  readonly name: string
  readonly table: PgTable
  /** A unique key, read in order in batches (keyset pagination over its index). */
  readonly key: readonly PgColumn[]
  /** Column pairs (full image, thumbnail) holding media keys, by SQL name. */
  readonly media: ReadonlyArray<readonly [string, string]>
}

/**
 * What a backup holds, in an order that loads without breaking a foreign key. Sessions (and with
 * them push subscriptions) and the VAPID keys are left out on purpose: a restored server starts
 * with everyone logged out, and makes itself a new key pair.
 */
export const BACKUP_TABLES: readonly BackupTable[] = [
  { name: 'users', table: users, key: [users.id], media: [['avatar_key', 'avatar_thumb_key']] },
  { name: 'rooms', table: rooms, key: [rooms.id], media: [] },
  { name: 'room_members', table: roomMembers, key: [roomMembers.roomId, roomMembers.userId], media: [] },
  { name: 'messages', table: messages, key: [messages.roomId, messages.seq], media: [['image_key', 'thumb_key']] }
]

const BATCH_ROWS = 1000

/**
 * Every row of a table (or of its snapshot copy) as the JSON text of the whole row (`row_to_json`:
 * column names as stored, whatever the schema version), in key order, a batch at a time.
 */
export async function * tableRows (db: Db, spec: BackupTable, source: SnapshotSource = (table) => table): AsyncGenerator<string[]> {
  const t = sql.identifier('t')
  const keys = spec.key.map((column) => sql`${t}.${sql.identifier(column.name)}`)
  const keyFields = Object.fromEntries(keys.map((key, i) => [`k${i}`, sql<unknown>`${key}`]))
  let after: unknown[] | null = null
  for (;;) {
    const position: SQL | undefined = after === null
      ? undefined
      : sql`(${sql.join(keys, sql`, `)}) > (${sql.join(after.map((v, i) => sql`${v}::${sql.raw(spec.key[i]!.getSQLType())}`), sql`, `)})`
    const batch = await db
      .select({ ...keyFields, line: sql<string>`row_to_json(${t})::text` })
      .from(sql`${sql.identifier(source(spec.name))} as ${t}`)
      .where(position)
      .orderBy(...keys)
      .limit(BATCH_ROWS)
    if (batch.length === 0) return
    yield batch.map((row) => row.line)
    if (batch.length < BATCH_ROWS) return
    const last = batch[batch.length - 1]! as Record<string, unknown>
    after = spec.key.map((_c, i) => last[`k${i}`])
  }
}

/** Inserts rows given as the JSON text of whole rows (as tableRows reads them), in one statement. */
export async function insertRows (db: Db, spec: BackupTable, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return
  const table = sql.identifier(spec.name)
  // json_populate_recordset turns each object into a row of the table's own type: the database,
  // not this code, converts every column, so any schema version loads the same way.
  await db.execute(sql`insert into ${table} select * from json_populate_recordset(null::${table}, ${`[${lines.join(',')}]`}::json)`)
}

/** A restored image: stored anew, under new keys. */
export interface MediaMove {
  imageKey: string
  newImageKey: string
  newThumbKey: string
}

/** Points each media column pair at its image's new keys; one statement per pair of columns. */
export async function moveMediaKeys (db: Db, spec: BackupTable, moves: readonly MediaMove[]): Promise<void> {
  if (moves.length === 0) return
  const table = sql.identifier(spec.name)
  for (const [full, thumb] of spec.media) {
    const [image, thumbnail] = [sql.identifier(full), sql.identifier(thumb)]
    await db.execute(sql`update ${table} set ${image} = m."newImageKey", ${thumbnail} = m."newThumbKey"
      from json_to_recordset(${JSON.stringify(moves)}::json) as m("imageKey" text, "newImageKey" text, "newThumbKey" text)
      where ${table}.${image} = m."imageKey"`)
  }
}

/**
 * True when nothing a family made is stored: no user, member or message, and no room but the
 * empty Family room a first start seeds.
 */
export async function holdsNoFamily (db: Db): Promise<boolean> {
  const [u] = await db.select({ n: count() }).from(users)
  const [m] = await db.select({ n: count() }).from(messages)
  const [rm] = await db.select({ n: count() }).from(roomMembers)
  const [r] = await db.select({ n: count() }).from(rooms).where(sql`not (${rooms.isFamily} and ${rooms.lastSeq} = 0)`)
  return u?.n === 0 && m?.n === 0 && rm?.n === 0 && r?.n === 0
}

/** Removes the seeded Family room, so a restored one takes its place. */
export async function removeSeededRooms (db: Db): Promise<void> {
  await db.delete(rooms)
}
