import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import t from 'tap'
import { openDatabase } from '../../db/client.js'
import { currentSchemaVersion, schemaVersionOf } from '../../db/migrate.js'
import { buildApp } from '../../src/app.js'
import { hashPassword } from '../../src/auth/passwords.js'
import { writeBackup } from '../../src/backup/backup.js'
import { openMediaStore } from '../../src/media/open-store.js'
import { bearer, login, PASSWORD, tempDir, TEST_SECRET, testConfig } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { manifestOf } from '../fixtures/archives.js'
import { runBin } from '../fixtures/processes.js'

// Schema 3 is the one before profile photos: users had an avatar_url column, no avatar keys.
const OLD_VERSION = 3

t.test('an archive from an older schema loads as it was written and is migrated forward', async (t) => {
  const source = await adminEnv(t)
  const archive = join(tempDir(t), 'old.tar')
  const database = await openDatabase({ databaseUrl: source.DATABASE_URL ?? null, dataDir: source.DATA_DIR!, template: false })
  try {
    await database.migrate({ upTo: OLD_VERSION, seed: false })
    t.equal(await schemaVersionOf(database.db), OLD_VERSION)
    const hash = await hashPassword(PASSWORD)
    await database.db.execute(sql`insert into users (id, username, display_name, avatar_url, password_hash) values
      ('00000000-0000-4000-8000-000000000001', 'alice', 'Alice', 'https://example.org/a.png', ${hash})`)
    await database.db.execute(sql`insert into rooms (id, name, kind, is_family, last_seq) values ('00000000-0000-4000-8000-0000000000f0', 'Family', 'group', true, 3)`)
    await database.db.execute(sql`insert into room_members (room_id, user_id, last_read_seq) values ('00000000-0000-4000-8000-0000000000f0', '00000000-0000-4000-8000-000000000001', 2)`)
    await database.db.execute(sql`insert into messages (id, room_id, seq, event_seq, sender_id, body, reactions, reply_to_id) values
      ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000f0', 1, 3, '00000000-0000-4000-8000-000000000001', 'first', '{"👍": ["00000000-0000-4000-8000-000000000001"]}', null),
      ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000f0', 2, 2, '00000000-0000-4000-8000-000000000001', 'second', '{}', '00000000-0000-4000-8000-0000000000a1')`)
    const media = await openMediaStore({ dataDir: source.DATA_DIR!, secret: TEST_SECRET, cloudinaryUrl: null })
    await writeBackup(database, media.store, archive)
  } finally {
    await database.close()
  }
  t.equal((await manifestOf(archive)).schemaVersion, OLD_VERSION, 'the archive says which schema it holds')

  const target = await adminEnv(t)
  const restore = await runBin('restore', [archive], target)
  t.equal(restore.code, 0, restore.stderr)
  const app = await buildApp(testConfig(t, target))
  t.teardown(() => app.close())
  await app.ready()
  t.equal(await schemaVersionOf(app.database.db), currentSchemaVersion(), 'migrated to the current schema')
  const token = await login(app, 'alice', PASSWORD)
  const [room] = ((await app.inject({ url: '/api/rooms', headers: bearer(token) })).json() as { rooms: Array<Record<string, unknown>> }).rooms
  t.match(room, { id: '00000000-0000-4000-8000-0000000000f0', lastSeq: 3, lastReadSeq: 2, unread: 0 })
  const page = (await app.inject({ url: `/api/messages?roomId=${String(room!.id)}&since=0`, headers: bearer(token) })).json() as { messages: Array<Record<string, unknown>> }
  t.match(page.messages, [
    { seq: 2, eventSeq: 2, body: 'second', replyTo: { id: '00000000-0000-4000-8000-0000000000a1', body: 'first' } },
    { seq: 1, eventSeq: 3, body: 'first', reactions: { '👍': ['00000000-0000-4000-8000-000000000001'] } }
  ])
  const me = (await app.inject({ url: '/api/auth/me', headers: bearer(token) })).json() as { user: { avatarUrl: unknown } }
  t.equal(me.user.avatarUrl, null, 'the old avatar URL column is gone, as the migration says')
})
