import { createHmac } from 'node:crypto'
import { asc, sql } from 'drizzle-orm'
import { openDatabase } from '../db/client.js'
import { familyRoomId } from '../db/queries/rooms.js'
import { sessions } from '../db/schema/index.js'
import { hashPassword } from '../src/auth/passwords.js'

export interface Seeded {
  roomId: string
  /** One token per user: tokens[i] belongs to user i. */
  tokens: string[]
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** HS256 tokens exactly as the server signs them, for sessions the seed inserts itself. */
function sign (payload: object, secret: string): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
}

/**
 * Fills a database before the server starts (the embedded one allows a single process): users,
 * one live session each, and `messages` messages in Family. Straight SQL: seeding is not what
 * is being measured.
 */
export async function seed (options: { databaseUrl: string | null, dataDir: string, users: number, messages: number, secret: string }): Promise<Seeded> {
  const database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir })
  try {
    await database.migrate()
    const db = database.db
    const hash = await hashPassword('bench password')
    await db.execute(sql`
      insert into users (id, username, display_name, password_hash)
      select gen_random_uuid(), 'bench' || g, 'Bench ' || g, ${hash} from generate_series(1, ${options.users}) g`)
    const roomId = await familyRoomId(db)
    await db.execute(sql`insert into room_members (room_id, user_id) select ${roomId}::uuid, id from users`)
    await db.execute(sql`
      insert into messages (id, room_id, seq, event_seq, sender_id, body, created_at)
      select gen_random_uuid(), ${roomId}::uuid, g, g, (select id from users order by username limit 1),
             'seeded message number ' || g, now() - make_interval(secs => ${options.messages} - g)
      from generate_series(1, ${options.messages}) g`)
    await db.execute(sql`update rooms set last_seq = ${options.messages} where id = ${roomId}::uuid`)
    await db.execute(sql`update room_members set last_read_seq = ${options.messages}`)
    await db.execute(sql`
      insert into sessions (id, user_id, user_agent, expires_at)
      select gen_random_uuid(), id, 'bench', now() + interval '1 day' from users`)
    const rows = await db.select({ id: sessions.id, userId: sessions.userId }).from(sessions).orderBy(asc(sessions.userId))
    const now = Math.floor(Date.now() / 1000)
    return { roomId, tokens: rows.map((r) => sign({ sub: r.userId, sid: r.id, iat: now, exp: now + 86_400 }, options.secret)) }
  } finally {
    await database.close()
  }
}
