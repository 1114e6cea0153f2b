import type { PGlite } from '@electric-sql/pglite'

/** Messages appended between two gatherings of the statistics (and the fewest worth gathering at open). */
export const STATISTICS_EVERY = 10_000

/**
 * The columns the history reads filter and order on. Not the whole table: its search index is an
 * expression, whose statistics cost `to_tsvector` on every sampled row (341 ms against 51-78 ms at
 * 100,000 messages, on the event loop's thread). And from a sample of 3,000 rows (a statistics
 * target of 10) instead of PostgreSQL's 30,000: what the reads need is a room's share of the
 * table, and the plans came out the same, a room outside the ten most common included (README,
 * "Planner statistics on PGlite"), in 11-13 ms instead of 65-78. SET LOCAL ends with the implicit
 * transaction the two statements run in, so nothing else is gathered differently.
 */
export const STATISTICS_TARGET = 10
const ANALYZE_MESSAGES = `set local default_statistics_target = ${STATISTICS_TARGET}; analyze messages (room_id, seq, event_seq, sender_id, client_id, deleted_at)`

/**
 * PGlite runs no autovacuum, so unless asked it never gathers the planner's statistics, and a
 * planner without them takes a room's messages for 0.5 % of the table: reading 101 messages of the
 * change feed from far back, or scrolling up from the newest, it sorted every message of the range
 * (61-69 ms at 100,000 messages, on the event loop's thread) instead of walking the index (README,
 * "Reliability", "Planner statistics on PGlite"). So they are gathered when the database opens
 * with enough messages to matter, and again after every STATISTICS_EVERY appended. ANALYZE reads a
 * sample of fixed size: its cost stops growing with the table. Statistics grown stale as the rooms
 * grow still tell the planner that a room is most of the table, which is what the history reads
 * need.
 */
export function plannerStatistics (client: PGlite) {
  let appended = 0
  let gathering: Promise<void> | undefined

  /** At most one at a time; a failure (the database closing) only means the next one tries again. */
  function gather (): Promise<void> {
    gathering ??= client.exec(ANALYZE_MESSAGES).then(() => {}, () => {}).finally(() => { gathering = undefined })
    return gathering
  }

  return {
    /** At open: gathers them if the messages table holds enough rows to matter. */
    async atOpen (): Promise<void> {
      const { rows: [enough] } = await client.query<{ enough: boolean }>(`select count(*) >= ${STATISTICS_EVERY} as enough from (select from messages limit ${STATISTICS_EVERY}) m`)
      if (enough?.enough === true) await gather()
    },

    /** After an append: every STATISTICS_EVERY messages, gathers them again (without waiting). */
    appended (count: number): void {
      appended += count
      if (appended < STATISTICS_EVERY) return
      appended = 0
      gather().catch(() => {})
    }
  }
}
