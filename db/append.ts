import { randomUUID } from 'node:crypto'
import type { PGlite } from '@electric-sql/pglite'
import { sql, type SQL } from 'drizzle-orm'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { MessageRow } from './schema/index.js'
import type * as schema from './schema/index.js'
import { firstRowOf } from './pglite-simple-query.js'

export interface AppendInput {
  senderId: string
  clientId: string | null
  body: string
  imageKey: string | null
  thumbKey: string | null
  imageWidth: number | null
  imageHeight: number | null
  replyToId: string | null
}

/**
 * Appends new messages in one statement: messages whose (sender, clientId) is already stored are
 * skipped, the room's counter moves by the number inserted (its row lock orders concurrent
 * writers, on any instance), and the rows take the numbers after it, in input order. One round
 * trip, atomic by itself. Answers per input, in input order: its inserted row, or undefined when
 * it was skipped. Throws if the room does not exist.
 */
export type AppendMessages = (roomId: string, inputs: AppendInput[]) => Promise<Array<MessageRow | undefined>>

/** What the database decides of an append; the rest is the input. */
interface AppendOutcome {
  /** The room's last event number before the append: inserted rows take the numbers after it. */
  base: number | string
  /** The transaction's time: every inserted row's created_at. */
  created_at: string | Date
  /** Positions of the inserted inputs, ascending; null when every input was inserted. */
  inserted: number[] | null
}

const UNDECIDED = new Date(Number.NaN)

/** The rows as they will be stored but for what the database decides (numbers, time). */
function rowsToAppend (roomId: string, inputs: AppendInput[]): MessageRow[] {
  // Written out, not spread from the input: this runs for every message (README, "Benchmarks").
  return inputs.map((m): MessageRow => ({
    id: randomUUID(),
    roomId,
    seq: 0,
    eventSeq: 0,
    senderId: m.senderId,
    clientId: m.clientId,
    body: m.body,
    imageKey: m.imageKey,
    thumbKey: m.thumbKey,
    imageWidth: m.imageWidth,
    imageHeight: m.imageHeight,
    createdAt: UNDECIDED,
    editedAt: null,
    deletedAt: null,
    reactions: {},
    replyToId: m.replyToId
  }))
}

/** Positional arrays, a plain text message's four fields only (a missing element reads as NULL): half the statement's size. */
const payloadOf = (rows: MessageRow[]): string => JSON.stringify(rows.map((m) => m.imageKey === null && m.replyToId === null
  ? [m.id, m.senderId, m.clientId, m.body]
  : [m.id, m.senderId, m.clientId, m.body, m.imageKey, m.thumbKey, m.imageWidth, m.imageHeight, m.replyToId]))

/** Fills in what the database decided: the i-th inserted row took the i-th number after the base. */
function decided (roomId: string, rows: MessageRow[], outcome: AppendOutcome | undefined): Array<MessageRow | undefined> {
  if (outcome === undefined) throw new Error(`room ${roomId} does not exist`)
  const base = Number(outcome.base)
  const createdAt = outcome.created_at instanceof Date ? outcome.created_at : new Date(outcome.created_at)
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

/** The append, with `payload` (jsonb) and `roomId` (uuid) spliced in: as parameters, or as $1 and $2 for PREPARE. */
const appendStatement = (payload: SQL, roomId: SQL): SQL => sql`
    with input as (
      select (e.ord - 1)::int as ord, (e.v->>0)::uuid as id, (e.v->>1)::uuid as sender_id,
        e.v->>2 as client_id, e.v->>3 as body, e.v->>4 as image_key, e.v->>5 as thumb_key,
        (e.v->>6)::int as image_width, (e.v->>7)::int as image_height, (e.v->>8)::uuid as reply_to_id
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
      insert into messages (id, room_id, seq, event_seq, sender_id, client_id, body, image_key, thumb_key, image_width, image_height, reply_to_id)
      select f.id, ${roomId}, r.base + f.n, r.base + f.n, f.sender_id, f.client_id, f.body, f.image_key, f.thumb_key, f.image_width, f.image_height, f.reply_to_id
      from fresh f cross join reserved r
    )
    -- A data-modifying WITH runs to completion whether or not it is read. now() is the
    -- transaction's time, which is what created_at's default gave every inserted row. One row
    -- comes back, not one per message: reading back every inserted row was a fifth of the event
    -- loop's time at saturation on PGlite, and all it told was a number and a time.
    select r.base, now() as created_at,
      case when (select count(*) from fresh) = (select count(*) from input) then null
        else array(select f.ord from fresh f order by f.ord) end as inserted
    from reserved r`

/** On PostgreSQL: a parameterised statement, which the pool names and the server plans generically (db/postgres-pool.ts). */
export function postgresAppend (db: PostgresJsDatabase<typeof schema>): AppendMessages {
  return async (roomId, inputs) => {
    const rows = rowsToAppend(roomId, inputs)
    const [outcome] = await db.execute<AppendOutcome & Record<string, unknown>>(appendStatement(sql`${payloadOf(rows)}::jsonb`, sql`${roomId}::uuid`))
    return decided(roomId, rows, outcome)
  }
}

/** An int[] in PostgreSQL's text form ("{0,2}"), or NULL. */
const positionsOf = (text: string | null): number[] | null => text === null ? null : text.slice(1, -1).split(',').filter((n) => n !== '').map(Number)

// Characters in a standard string literal are taken as they are but for the quote, written twice.
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`

/**
 * PGlite runs PostgreSQL on the event loop's thread and plans an unnamed statement at every run,
 * and planning the append costs more than running it (README, "Benchmarks"). Its query API has
 * no named statements and EXECUTE takes no bind parameters, so the statement is prepared once per
 * PGlite session with SQL's PREPARE and run with EXECUTE, its two values as quoted literals — as
 * one simple query (db/pglite-simple-query.ts), cheaper than drizzle's extended protocol, under
 * PGlite's own locks like drizzle's queries and transactions: statements never interleave. Its
 * answer is text: `created_at` in PostgreSQL's ISO form, which Date reads to the millisecond as
 * PGlite's own parser does for every other read of the column.
 */
export function pgliteAppend (db: PgliteDatabase<typeof schema>, client: PGlite): AppendMessages {
  let prepared: Promise<void> | undefined
  const prepare = async (): Promise<void> => {
    // `literal` relies on it (PostgreSQL's default since 9.1): backslashes are not escapes.
    const { rows: [setting] } = await client.query<{ on: boolean }>("select current_setting('standard_conforming_strings') = 'on' as on")
    if (setting?.on !== true) throw new Error('standard_conforming_strings must be on')
    await db.execute(sql`prepare fc_append_messages(jsonb, uuid) as ${appendStatement(sql.raw('$1'), sql.raw('$2'))}`)
  }
  return async (roomId, inputs) => {
    // A failure is not kept: the next append tries again.
    prepared ??= prepare().catch((err: unknown) => { prepared = undefined; throw err })
    await prepared
    const rows = rowsToAppend(roomId, inputs)
    const row = await firstRowOf(client, `execute fc_append_messages(${literal(payloadOf(rows))}::jsonb, ${literal(roomId)}::uuid)`)
    return decided(roomId, rows, row === undefined ? undefined : { base: row[0]!, created_at: row[1]!, inserted: positionsOf(row[2] ?? null) })
  }
}
