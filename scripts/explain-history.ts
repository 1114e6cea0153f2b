// Seeds a room with 1,000,000 messages in a throwaway PostgreSQL database and shows, with
// EXPLAIN ANALYZE, that every history query is an index scan, that `unread` walks only the
// unread range, and that search is served by its full-text index. Exits 1 if any plan scans the messages table sequentially.
// Usage: DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run db:explain
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import { openDatabase } from '../db/client.js'
import { LAST_MESSAGE_WINDOW, lastLiveMessagesQuery, listChangedSince, listLatestMessages, listOlderThan } from '../db/queries/messages.js'
import { totalUnreadQuery } from '../db/queries/push.js'
import { roomsOfUserQuery } from '../db/queries/rooms.js'
import { searchMessagesQuery } from '../db/queries/search.js'
import { insertUser } from '../db/queries/users.js'

const base = process.env.DATABASE_URL
if (base === undefined) {
  process.stderr.write('set DATABASE_URL to a PostgreSQL server (a throwaway database is created in it)\n')
  process.exit(2)
}
const ROWS = Number(process.env.ROWS ?? 1_000_000)
const name = `fc_explain_${randomBytes(4).toString('hex')}`
const admin = postgres(base, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${name}`)
const url = new URL(base)
url.pathname = `/${name}`

let failed = false
const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '.' })
try {
  await database.migrate()
  const db = database.db
  const alice = (await insertUser(db, { username: 'alice', displayName: 'Alice', passwordHash: 'x' }))!
  const bob = (await insertUser(db, { username: 'bob', displayName: 'Bob', passwordHash: 'x' }))!
  const [{ id: roomId }] = await db.execute<{ id: string }>(sql`select id from rooms where is_family`) as unknown as [{ id: string }]
  const started = Date.now()
  await db.execute(sql`
    insert into messages (id, room_id, seq, event_seq, sender_id, client_id, body, created_at)
    select gen_random_uuid(), ${roomId}::uuid, g, g,
           case when g % 2 = 0 then ${alice.id}::uuid else ${bob.id}::uuid end,
           'seed-' || g, 'message number ' || g, now() - make_interval(secs => ${ROWS} - g)
    from generate_series(1, ${ROWS}) g`)
  await db.execute(sql`update rooms set last_seq = ${ROWS} where id = ${roomId}::uuid`)
  // Bob has read all but the last 20.
  await db.execute(sql`update room_members set last_read_seq = ${ROWS - 20} where user_id = ${bob.id}::uuid`)
  await db.execute(sql`analyze`)
  process.stdout.write(`seeded ${ROWS.toLocaleString('en')} messages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)

  const explain = async (label: string, query: { toSQL (): { sql: string, params: unknown[] } }) => {
    const { sql: text, params } = query.toSQL()
    const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
    const plan = await client.unsafe(`explain (analyze, buffers) ${text}`, params as postgres.ParameterOrJSON<never>[])
    await client.end()
    const lines = plan.map((row) => String(Object.values(row)[0]))
    const seqScan = lines.some((l) => /Seq Scan on messages/.test(l))
    failed ||= seqScan
    process.stdout.write(`\n== ${label}: ${seqScan ? 'SEQUENTIAL SCAN (bad)' : 'index only'}\n${lines.join('\n')}\n`)
  }
  await explain('latest page', listLatestMessages(db, roomId, 51))
  await explain('page before seq 500,000', listOlderThan(db, roomId, 500_000, 51, 256 * 1024))
  await explain('change feed since 999,900', listChangedSince(db, roomId, ROWS - 100, 51))
  await explain('conversation list: the last live message (the newest 50 index entries)', lastLiveMessagesQuery(db, [roomId], LAST_MESSAGE_WINDOW))
  await explain('rooms of bob (unread walks only his 20 unread)', roomsOfUserQuery(db, bob.id))
  await explain('badge of bob (his 20 unread)', totalUnreadQuery(db, [bob.id]))
  await explain('badge of alice (half a million unread, counted to 100)', totalUnreadQuery(db, [alice.id]))
  await explain('search "numb 123456" in bob\'s rooms (the GIN index, then the few matches sorted)', searchMessagesQuery(db, { userId: bob.id, text: 'numb 123456', limit: 21 }))
  await explain('search "123456" in the Family room', searchMessagesQuery(db, { userId: bob.id, roomId, text: '123456', limit: 21 }))
} finally {
  await database.close()
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.end()
}
process.stdout.write(failed ? '\nFAIL: a query scans the messages table\n' : '\nOK: every query is served by an index\n')
process.exit(failed ? 1 : 0)
