import t from 'tap'
import { READ_CHUNK_BYTES, readInChunks, type ChunkedRead } from '../../src/chat/chunked-read.js'

interface Row { id: string, eventSeq: number, size: number }

/** The change feed's contract over rows in eventSeq order: after, limit, and only rows starting within maxBytes. */
function feedRead (feed: Row[], after: number, limit: number, maxBytes: number): Row[] {
  const out: Row[] = []
  let before = 0
  for (const row of feed) {
    if (row.eventSeq <= after) continue
    if (out.length === limit || before > maxBytes) break
    out.push(row)
    before += row.size
  }
  return out
}

/** A feed of `count` rows of pseudo-random sizes (a fixed seed: the same feed every run). */
function feedOf (count: number, seed: number, maxSize: number): Row[] {
  let x = seed
  return Array.from({ length: count }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return { id: `m${i + 1}`, eventSeq: i + 1, size: 400 + (x % maxSize) }
  })
}

const PAGE = 256 * 1024
const over = (feed: Row[], read: ChunkedRead<Row>['read'] = async (after, limit, maxBytes) => feedRead(feed, after, limit, maxBytes)): ChunkedRead<Row> =>
  ({ read, cost: (row) => row.size, next: (row) => row.eventSeq, from: 0, limit: 101, maxBytes: PAGE, writesIdle: async () => {} })

t.test('reading in chunks answers what one read of the whole page answers', async (t) => {
  for (const [seed, count, maxSize, since, limit] of [
    [1, 200, 8_000, 0, 101], [2, 200, 8_000, 37, 101], [3, 50, 200_000, 0, 101], [4, 300, 300, 0, 101],
    [5, 10, 8_000, 0, 101], [6, 120, 5_000, 119, 101], [7, 120, 5_000, 120, 101], [8, 101, 2_000, 0, 51]
  ] as const) {
    const feed = feedOf(count, seed, maxSize)
    const asked: number[] = []
    const rows = await readInChunks({
      ...over(feed, async (after, lim, maxBytes) => {
        asked.push(maxBytes)
        return feedRead(feed, after, lim, maxBytes)
      }),
      from: since,
      limit
    })
    t.same(rows.map((r) => r.id), feedRead(feed, since, limit, PAGE).map((r) => r.id), `feed ${seed}: the same rows in the same order`)
    t.ok(asked.every((maxBytes) => maxBytes <= READ_CHUNK_BYTES), `feed ${seed}: each read asks for at most a chunk`)
    if (count === 200 && maxSize === 8_000) t.ok(asked.length >= 4, `feed ${seed}: a long page takes several reads (${asked.length})`)
  }
})

t.test('a message changed between two reads is kept once, in its newer state', async (t) => {
  const feed = feedOf(12, 9, 1).map((row) => ({ ...row, size: 10_000 }))
  let calls = 0
  const rows = await readInChunks({
    ...over(feed, async (after, limit, maxBytes) => {
      if (++calls === 2) {
        // m2 was read by the first query; an edit gives it the room's next event number.
        const [edited] = feed.splice(1, 1)
        feed.push({ ...edited!, eventSeq: 13, size: 500 })
      }
      return feedRead(feed, after, limit, maxBytes)
    }),
    limit: 30
  })
  t.ok(calls >= 2)
  t.same(rows.map((r) => r.id), ['m1', ...Array.from({ length: 10 }, (_, i) => `m${i + 3}`), 'm2'], 'm2 once, where its edit is')
  t.equal(rows.at(-1)!.size, 500, 'in its newer state')
})

t.test('the event loop gets a turn between reads', async (t) => {
  const feed = feedOf(100, 11, 1).map((row) => ({ ...row, size: 30_000 }))
  const order: string[] = []
  await readInChunks(over(feed, async (after, limit, maxBytes) => {
    order.push('read')
    setImmediate(() => order.push('other work'))
    return feedRead(feed, after, limit, maxBytes)
  }))
  t.ok(order.length > 2)
  for (let i = 1; i < order.length; i += 2) t.equal(order[i], 'other work', 'other work ran before the next read')
})

t.test('each read waits for the writes in progress to be committed', async (t) => {
  const feed = feedOf(100, 13, 1).map((row) => ({ ...row, size: 30_000 }))
  const order: string[] = []
  let commit: () => void = () => {}
  const reading = readInChunks({
    ...over(feed, async (after, limit, maxBytes) => {
      order.push('read')
      return feedRead(feed, after, limit, maxBytes)
    }),
    writesIdle: () => new Promise<void>((resolve) => {
      order.push('writing')
      commit = () => { order.push('committed'); resolve() }
    })
  })
  for (let reads = 0; reads < 3; reads++) {
    while (order.at(-1) !== 'writing') await new Promise((resolve) => setImmediate(resolve))
    commit()
  }
  t.same(order.slice(0, 8), ['writing', 'committed', 'read', 'writing', 'committed', 'read', 'writing', 'committed'])
  // From here the writes never stop: each read still goes after WRITES_FIRST_MS, and the page ends.
  const rows = await reading
  t.same(rows.map((r) => r.id), feedRead(feed, 0, 101, PAGE).map((r) => r.id), 'the whole page')
})
