// The ceiling the database puts on saturation, in a process of its own: the room log's own append
// (db/append.ts, as the server runs it) into a database seeded like the bench's, back to back, in
// batches of the most messages the saturation load ever has in flight. Nothing else of the server
// runs, so no server can deliver more messages a second than this commits: at N sockets, N times
// as many deliveries. On PGlite the commits also take the thread the fan-out needs, so it is a
// ceiling the server cannot reach. Prints one JSON line of results.
import type { AppendInput } from '../../db/append.js'
import { openDatabase } from '../../db/client.js'
import { users } from '../../db/schema/index.js'
import { seed } from '../seed.js'

interface Args { databaseUrl: string | null, dataDir: string, batch: number, senders: number, seconds: number }
const args = JSON.parse(process.argv[2]!) as Args

const seeded = await seed({ databaseUrl: args.databaseUrl, dataDir: args.dataDir, users: args.senders, messages: 100_000, secret: 'append-probe' })
const database = await openDatabase({ databaseUrl: args.databaseUrl, dataDir: args.dataDir })
const senders = (await database.db.select({ id: users.id }).from(users)).map((u) => u.id)

const pad = 'x'.repeat(60)
let sent = 0
/** A batch as the load sends it: about 100-byte bodies, round robin over the senders, each with its clientId. */
function batch (): AppendInput[] {
  return Array.from({ length: args.batch }, (): AppendInput => {
    const n = sent++
    return {
      senderId: senders[n % senders.length]!,
      clientId: `probe-${n}`,
      body: JSON.stringify({ t: Date.now(), s: n % senders.length, p: pad }),
      imageKey: null,
      thumbKey: null,
      imageWidth: null,
      imageHeight: null,
      replyToId: null
    }
  })
}

const warmupMs = 1000
const begin = performance.now()
while (performance.now() - begin < warmupMs) await database.appendMessages(seeded.roomId, batch())
const measuredFrom = performance.now()
const before = sent
while (performance.now() - measuredFrom < args.seconds * 1000) await database.appendMessages(seeded.roomId, batch())
const messagesPerSec = (sent - before) / ((performance.now() - measuredFrom) / 1000)
await database.close()
process.stdout.write(JSON.stringify({ messagesPerSec }) + '\n')
