import { randomUUID } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { and, asc, desc, eq, getTableColumns, gt, inArray, lt, sql, type SQL } from 'drizzle-orm'
import { isUuid } from '../ids.js'
import { messages, roomMembers, type MessageRow, type NewMessageRow } from '../schema/index.js'
import type { Db } from '../types.js'

export function insertMessages (tx: Db, rows: NewMessageRow[]): Promise<MessageRow[]> {
  return tx.insert(messages).values(rows).returning()
}

export async function findMessagesByClientIds (db: Db, senderId: string, clientIds: string[]): Promise<MessageRow[]> {
  if (clientIds.length === 0) return []
  return await db.select().from(messages)
    .where(and(eq(messages.senderId, senderId), inArray(messages.clientId, clientIds)))
}

export async function findMessageForMember (db: Db, messageId: string, userId: string): Promise<MessageRow | undefined> {
  if (!isUuid(messageId)) return undefined
  const [row] = await db.select({ message: messages }).from(messages)
    .innerJoin(roomMembers, and(eq(roomMembers.roomId, messages.roomId), eq(roomMembers.userId, userId)))
    .where(eq(messages.id, messageId)).limit(1)
  return row?.message
}

export async function findMessagesByIds (tx: Db, ids: string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return []
  return await tx.select().from(messages).where(inArray(messages.id, ids))
}

export async function updateMessage (tx: Db, id: string, values: Partial<NewMessageRow>): Promise<MessageRow> {
  const [row] = await tx.update(messages).set(values).where(eq(messages.id, id)).returning()
  return row!
}

/** Newest first from the (room_id, seq) index, `limit` of them. */
export function listLatestMessages (db: Db, roomId: string, limit: number, before?: number) {
  return db.select().from(messages)
    .where(and(eq(messages.roomId, roomId), before === undefined ? undefined : lt(messages.seq, before)))
    .orderBy(desc(messages.seq)).limit(limit)
}

/** What a message weighs in a page: its body's UTF-8 bytes and an allowance for the other fields. */
export const MESSAGE_OVERHEAD_BYTES = 400

/**
 * The change feed: messages changed by an event after `since`, oldest change first, from the
 * (room_id, event_seq) index — at most `limit`, and only those starting within `maxBytes` of the
 * page (the first one past it included, so the caller can tell more follow). The weights are read
 * first (`octet_length` reads a TOASTed body's size without decompressing it); only the rows that
 * will be sent are fetched whole, so a page of long messages costs what it sends.
 */
export function listChangedSince (db: Db, roomId: string, since: number, limit: number, maxBytes = Number.MAX_SAFE_INTEGER) {
  const weight = sql`${MESSAGE_OVERHEAD_BYTES} + octet_length(${messages.body})`
  const weighed = db.$with('weighed').as(
    db.select({
      id: messages.id,
      before: sql<number>`sum(${weight}) over (order by ${messages.eventSeq}) - (${weight})`.as('bytes_before')
    }).from(messages)
      .where(and(eq(messages.roomId, roomId), gt(messages.eventSeq, since)))
      .orderBy(asc(messages.eventSeq)).limit(limit)
  )
  return db.with(weighed).select(getTableColumns(messages)).from(messages)
    .innerJoin(weighed, eq(messages.id, weighed.id))
    .where(sql`${weighed.before} <= ${maxBytes}`)
    .orderBy(asc(messages.eventSeq))
}

export interface AppendInput {
  senderId: string
  clientId: string | null
  body: string
  imageKey?: string | null
  thumbKey?: string | null
  imageWidth?: number | null
  imageHeight?: number | null
}

// postgres-js answers rows as an array, PGlite as `{ rows }`.
const rowsOf = <T>(result: unknown): T[] => Array.isArray(result) ? result as T[] : (result as { rows: T[] }).rows

/** What the database decides of an append; the rest is the input. */
interface AppendOutcome {
  /** The room's last event number before the append: inserted rows take the numbers after it. */
  base: number | string
  /** The transaction's time: every inserted row's created_at. */
  created_at: string | Date
  /** Positions of the inserted inputs, ascending; null when every input was inserted. */
  inserted: number[] | null
}

const toDate = (value: string | Date): Date => value instanceof Date ? value : new Date(value)

/**
 * Appends new messages in one statement: messages whose (sender, clientId) is already stored are
 * skipped, the room's counter moves by the number inserted (its row lock orders concurrent
 * writers, on any instance), and the rows take the numbers after it, in input order. One round
 * trip, atomic by itself. Answers per input, in input order: its inserted row, or undefined when
 * it was skipped. Throws if the room does not exist.
 */
export async function appendMessages (db: Db, roomId: string, inputs: AppendInput[]): Promise<Array<MessageRow | undefined>> {
  // The rows as they will be stored but for what the database decides (numbers, time), filled in
  // below. Written out, not spread from the input: spreading cost 4.5 µs a message here.
  const rows = inputs.map((m): MessageRow => ({
    id: randomUUID(),
    roomId,
    seq: 0,
    eventSeq: 0,
    senderId: m.senderId,
    clientId: m.clientId,
    body: m.body,
    imageKey: m.imageKey ?? null,
    thumbKey: m.thumbKey ?? null,
    imageWidth: m.imageWidth ?? null,
    imageHeight: m.imageHeight ?? null,
    createdAt: UNDECIDED,
    editedAt: null,
    deletedAt: null
  }))
  // Positional arrays, a text message's four fields only (a missing element reads as NULL): the
  // statement, copied into PGlite and parsed there, is half the size it was with named fields.
  const payload = JSON.stringify(rows.map((m) => m.imageKey === null
    ? [m.id, m.senderId, m.clientId, m.body]
    : [m.id, m.senderId, m.clientId, m.body, m.imageKey, m.thumbKey, m.imageWidth, m.imageHeight]))
  const pglite = pgliteOf(db)
  const result = pglite !== undefined
    ? await executePreparedOnPglite(db, pglite, payload, roomId)
    : await db.execute(appendStatement(sql`${payload}::jsonb`, sql`${roomId}::uuid`))
  // One row comes back, not one per message: reading back every inserted row was a fifth of the
  // event loop's time at saturation on PGlite, and all it told was a number and a time.
  const [outcome] = rowsOf<AppendOutcome>(result)
  if (outcome === undefined) throw new Error(`room ${roomId} does not exist`)
  const base = Number(outcome.base)
  const createdAt = toDate(outcome.created_at)
  // The i-th inserted row took the i-th number after the base.
  const decide = (row: MessageRow, i: number): MessageRow => {
    row.seq = row.eventSeq = base + i + 1
    row.createdAt = createdAt
    return row
  }
  if (outcome.inserted === null) return rows.map(decide)
  const answered = rows.map((): MessageRow | undefined => undefined)
  outcome.inserted.forEach((ord, i) => { answered[ord] = decide(rows[ord]!, i) })
  return answered
}

const UNDECIDED = new Date(Number.NaN)

/** The append, with `payload` (jsonb) and `roomId` (uuid) spliced in: as parameters, or as $1 and $2 for PREPARE. */
const appendStatement = (payload: SQL, roomId: SQL): SQL => sql`
    with input as (
      select (e.ord - 1)::int as ord, (e.v->>0)::uuid as id, (e.v->>1)::uuid as sender_id,
        e.v->>2 as client_id, e.v->>3 as body, e.v->>4 as image_key, e.v->>5 as thumb_key,
        (e.v->>6)::int as image_width, (e.v->>7)::int as image_height
      from jsonb_array_elements(${payload}) with ordinality as e(v, ord)
    ), fresh as (
      select i.*, row_number() over (order by i.ord) as n from input i
      -- A probe of the (sender_id, client_id) index per input row. Written as NOT EXISTS, the
      -- planner (expecting 100 input rows) hashed the whole messages table on every append.
      where i.client_id is null or (
        select m.id from messages m where m.sender_id = i.sender_id and m.client_id = i.client_id limit 1) is null
    ), reserved as (
      update rooms set last_seq = last_seq + (select count(*) from fresh)
      where id = ${roomId}
      returning last_seq - (select count(*) from fresh) as base
    ), inserted as (
      insert into messages (id, room_id, seq, event_seq, sender_id, client_id, body, image_key, thumb_key, image_width, image_height)
      select f.id, ${roomId}, r.base + f.n, r.base + f.n, f.sender_id, f.client_id, f.body, f.image_key, f.thumb_key, f.image_width, f.image_height
      from fresh f cross join reserved r
    )
    -- A data-modifying WITH runs to completion whether or not it is read. now() is the
    -- transaction's time, which is what created_at's default gave every inserted row.
    select r.base, now() as created_at,
      case when (select count(*) from fresh) = (select count(*) from input) then null
        else array(select f.ord from fresh f order by f.ord) end as inserted
    from reserved r`

const preparedOn = new WeakMap<PGlite, Promise<void>>()
/** The PGlite instance under a drizzle database, if that is what it runs on. */
function pgliteOf (db: Db): PGlite | undefined {
  const client = (db as unknown as { $client?: unknown }).$client
  return client instanceof PGlite ? client : undefined
}
// Characters in a standard string literal are taken as they are but for the quote, written twice.
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`

/**
 * PGlite runs PostgreSQL on the event loop's thread and plans an unnamed statement at every run:
 * planning the append cost three times executing it (1.6–2.0 ms against 0.5 ms). Its query API has
 * no named statements and EXECUTE takes no bind parameters, so the statement is prepared once per
 * PGlite session with SQL's PREPARE and run with EXECUTE, its two values as quoted literals.
 * `exec` takes PGlite's own lock like drizzle's queries and transactions: statements never interleave.
 */
async function executePreparedOnPglite (db: Db, client: PGlite, payload: string, roomId: string): Promise<unknown> {
  let prepared = preparedOn.get(client)
  if (prepared === undefined) {
    prepared = prepareAppend(db)
    preparedOn.set(client, prepared)
    // A failure is not kept: the next append tries again.
    prepared.catch(() => preparedOn.delete(client))
  }
  await prepared
  // PGlite's simple-query `exec` straight away: through drizzle's `execute` (extended protocol, its
  // own row mapping) a single-message append took 0.81 ms here, through `exec` 0.58 ms.
  const [result] = await client.exec(`execute fc_append_messages(${literal(payload)}::jsonb, ${literal(roomId)}::uuid)`)
  return result
}

async function prepareAppend (db: Db): Promise<void> {
  // `literal` relies on it (PostgreSQL's default since 9.1): backslashes are not escapes.
  const setting = rowsOf<{ on: boolean }>(await db.execute(sql`select current_setting('standard_conforming_strings') = 'on' as on`))
  if (setting[0]?.on !== true) throw new Error('standard_conforming_strings must be on')
  await db.execute(sql`prepare fc_append_messages(jsonb, uuid) as ${appendStatement(sql.raw('$1'), sql.raw('$2'))}`)
}
