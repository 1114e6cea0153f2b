/** One query of the change feed: at most `limit` rows after `after`, those starting within `maxBytes`. */
export type ChangeFeedRead<Row> = (after: number, limit: number, maxBytes: number) => Promise<Row[]>

/**
 * At most this much of a page is read in one query, and the event loop gets a turn between
 * queries: a page of long messages read at once held PGlite, on the event loop's thread, for
 * 10-15 ms, and everyone else's messages waited behind it.
 */
export const READ_CHUNK_BYTES = 64 * 1024

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * The change feed after `since` as one `read` of `limit` rows within `maxBytes` would answer it,
 * in reads of READ_CHUNK_BYTES. A message changed again between two reads comes back in the later
 * one (with its new event number), and only that newer state is kept.
 */
export async function readInChunks<Row extends { id: string, eventSeq: number }> (
  read: ChangeFeedRead<Row>, cost: (row: Row) => number, since: number, limit: number, maxBytes: number
): Promise<Row[]> {
  const rows: Row[] = []
  let bytes = 0
  let after = since
  for (;;) {
    const wanted = limit - rows.length
    const within = Math.min(READ_CHUNK_BYTES, maxBytes - bytes)
    const chunk = await read(after, wanted, within)
    let chunkBytes = 0
    for (const row of chunk) {
      const earlier = rows.findIndex((r) => r.id === row.id)
      if (earlier !== -1) bytes -= cost(rows.splice(earlier, 1)[0]!)
      rows.push(row)
      chunkBytes += cost(row)
    }
    bytes += chunkBytes
    const atEnd = chunk.length < wanted && chunkBytes <= within
    if (atEnd || rows.length >= limit || bytes > maxBytes) return rows
    after = chunk[chunk.length - 1]!.eventSeq
    await nextTurn()
  }
}
