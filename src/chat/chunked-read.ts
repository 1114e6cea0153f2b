/** One query of a page: at most `limit` rows from `from` on (exclusive), those starting within `maxBytes`. */
export type ChunkRead<Row> = (from: number, limit: number, maxBytes: number) => Promise<Row[]>

/**
 * At most this much of a page is read in one query, and the event loop gets a turn between
 * queries: a page of long messages read at once held PGlite, on the event loop's thread, for
 * 10-15 ms, and everyone else's messages waited behind it.
 */
export const READ_CHUNK_BYTES = 64 * 1024

/** How long a read lets the room log's writes go first: a room that never stops writing is never idle. */
const WRITES_FIRST_MS = 20

export interface ChunkedRead<Row> {
  read: ChunkRead<Row>
  cost (row: Row): number
  /** Where the next read starts after this row: its event number in the change feed, its seq scrolling up. */
  next (row: Row): number
  from: number
  limit: number
  maxBytes: number
  /** Resolves when no write is being committed: on PGlite a read and a commit share one connection. */
  writesIdle (): Promise<void>
}

async function writesFirst (writesIdle: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, WRITES_FIRST_MS) })
  await Promise.race([writesIdle(), bound])
  clearTimeout(timer)
}

/**
 * A page as one `read` of `limit` rows within `maxBytes` would answer it, in reads of
 * READ_CHUNK_BYTES, each in a turn of its own once the writes in progress are committed. A message
 * changed again between two reads of the change feed comes back in the later one (with its new
 * event number), and only that newer state is kept.
 */
export async function readInChunks<Row extends { id: string }> (options: ChunkedRead<Row>): Promise<Row[]> {
  const { read, cost, limit, maxBytes } = options
  const rows: Row[] = []
  let bytes = 0
  let from = options.from
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve))
    await writesFirst(options.writesIdle)
    const wanted = limit - rows.length
    const within = Math.min(READ_CHUNK_BYTES, maxBytes - bytes)
    const chunk = await read(from, wanted, within)
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
    from = options.next(chunk[chunk.length - 1]!)
  }
}
