// PGlite gathers no planner statistics by itself; without them the history reads sorted every
// message of their range instead of walking the index. Checked on the plan as PGlite runs it: no
// step reads more messages than a page needs.
import t from 'tap'
import type { PGlite } from '@electric-sql/pglite'
import { randomUUID } from 'node:crypto'
import { createPglite, usePglite } from '../../db/embedded.js'
import { STATISTICS_EVERY, STATISTICS_TARGET } from '../../db/planner-statistics.js'
import { listChangedSince, listOlderThan } from '../../db/queries/messages.js'
import { insertGroupRoom } from '../../db/queries/rooms.js'
import { insertUser } from '../../db/queries/users.js'
import type { TestContext } from '../helper.js'

interface PlanNode { 'Relation Name'?: string, 'Actual Rows': number, 'Actual Loops': number, Plans?: PlanNode[] }

/** The most rows any one step of the plan read from the messages table. */
function mostMessagesRead (node: PlanNode): number {
  const own = node['Relation Name'] === 'messages' ? node['Actual Rows'] * node['Actual Loops'] : 0
  return Math.max(own, ...(node.Plans ?? []).map(mostMessagesRead))
}

/** A migrated in-memory PGlite with one member. */
async function databaseWithAlice (t: TestContext) {
  const client = await createPglite()
  t.teardown(() => client.close())
  const database = usePglite(client)
  await database.migrate()
  const user = await insertUser(database.db, { username: 'alice', displayName: 'Alice', passwordHash: 'x' })
  return { client, database, userId: user!.id }
}

/** The most messages any step of the query's plan read, as PGlite runs it. */
async function messagesRead (client: PGlite, query: { toSQL (): { sql: string, params: unknown[] } }): Promise<number> {
  const { sql, params } = query.toSQL()
  const { rows: [explained] } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (analyze, format json) ${sql}`, params)
  return mostMessagesRead(explained!['QUERY PLAN'][0]!.Plan)
}

t.test('once a room holds enough messages, a page of history reads about a page of them', async (t) => {
  const { client, database, userId } = await databaseWithAlice(t)
  const { rows: [room] } = await client.query<{ id: string }>('select id from rooms where is_family')
  const total = STATISTICS_EVERY + 500
  for (let sent = 0; sent < total; sent += 500) {
    await database.appendMessages(room!.id, Array.from({ length: 500 }, (_v, i) => ({
      senderId: userId, clientId: randomUUID(), body: `message ${sent + i}`, imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, replyToId: null
    })))
  }

  const limit = 101
  const checkReads = async (when: string): Promise<void> => {
    const reads = {
      'scrolling up from the newest': listOlderThan(database.db, room!.id, total, limit, 256 * 1024),
      'the change feed of a new device': listChangedSince(database.db, room!.id, 0, limit, 256 * 1024)
    }
    for (const [what, query] of Object.entries(reads)) {
      const read = await messagesRead(client, query)
      t.ok(read <= 2 * limit, `${when}, ${what}: ${read} messages read for a page of ${limit}, of ${total}`)
      t.equal((await query).length, limit, 'and the page is whole')
    }
  }
  await checkReads('gathered as messages were appended')

  // From a small sample (histogram_bounds has one more entry than the target), and only for itself.
  const { rows: [stats] } = await client.query<{ bounds: number }>("select array_length(histogram_bounds::text::text[], 1) as bounds from pg_stats where tablename = 'messages' and attname = 'seq'")
  t.equal(stats?.bounds, STATISTICS_TARGET + 1, `seq's histogram has ${STATISTICS_TARGET + 1} bounds`)
  const { rows: [setting] } = await client.query<{ default_statistics_target: string }>('show default_statistics_target')
  t.equal(setting?.default_statistics_target, '100', 'the session keeps PostgreSQL\'s default target')

  // A database that already holds the messages when it opens (a restart) gathers them at once.
  await client.exec("delete from pg_statistic where starelid = 'messages'::regclass")
  await usePglite(client).migrate()
  await checkReads('gathered at open')
})

t.test('with a small sample, a room outside the busiest ten still reads about a page', async (t) => {
  const { client, database, userId } = await databaseWithAlice(t)
  // Fourteen rooms, the busiest holding a fifth of the messages and the quietest 5 %. (A room of a
  // few hundred is read whole and sorted whatever the statistics: the planner's cheaper choice.)
  const sizes = Array.from({ length: 14 }, (_v, r) => Math.round(4000 / (r + 1)) + 1000)
  const rooms: Array<{ id: string, size: number }> = []
  for (const [r, size] of sizes.entries()) {
    const room = await insertGroupRoom(database.db, `room ${r}`, [userId])
    await client.query(`insert into messages (id, room_id, seq, event_seq, sender_id, body)
      select gen_random_uuid(), $1, g, g, $2, 'message ' || g from generate_series(1, $3::int) g`, [room.id, userId, size])
    rooms.push({ id: room.id, size })
  }
  t.ok(sizes.reduce((a, b) => a + b) >= STATISTICS_EVERY, 'enough to be gathered at open')
  await usePglite(client).migrate()

  const limit = 101
  for (const [r, room] of rooms.entries()) {
    const read = await messagesRead(client, listOlderThan(database.db, room.id, room.size + 1, limit, 256 * 1024))
    t.ok(read <= 2 * limit, `room ${r} (${room.size} messages): ${read} read for a page of ${limit}`)
  }
})
