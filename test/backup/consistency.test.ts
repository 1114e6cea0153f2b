import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../../db/client.js'
import { PROJECT_ROOT } from '../../db/paths.js'
import { findUserByUsername } from '../../db/queries/users.js'
import { adminCommands } from '../../src/admin/commands.js'
import { bearer, createUser, login, PASSWORD, tempDir } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { eventually } from '../fixtures/eventually.js'
import { serve } from '../fixtures/served-app.js'
import { runBin } from '../fixtures/processes.js'

t.test('a backup taken while a member keeps posting restores a gap-free log whose lastSeq matches', async (t) => {
  const source = await adminEnv(t)
  const app = await serve(t, source)
  await createUser(app, 'alice')
  const token = await login(app, 'alice')
  const { rooms } = (await app.inject({ url: '/api/rooms', headers: bearer(token) })).json() as { rooms: Array<{ id: string }> }
  const roomId = rooms[0]!.id
  let acked = 0
  const state = { sending: true }
  const sender = (async () => {
    while (state.sending) {
      const res = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { roomId, body: `message ${acked + 1}` } })
      if (res.statusCode !== 201) throw new Error(`send failed: ${res.statusCode}`)
      acked += 1
    }
  })()
  await eventually('some messages sent', async () => acked >= 20 ? true : undefined)
  const ackedBefore = acked
  const archive = join(tempDir(t), 'busy.tar')
  const backup = await runBin('backup', ['--out', archive], source)
  const ackedAfter = acked
  state.sending = false
  await sender
  t.equal(backup.code, 0, backup.stderr)
  t.ok(ackedAfter > ackedBefore, 'the member kept posting while the backup ran')

  const restoredEnv = await adminEnv(t)
  t.equal((await runBin('restore', [archive], restoredEnv)).code, 0)
  const restored = await serve(t, restoredEnv)
  const restoredToken = await login(restored, 'alice', PASSWORD)
  const [room] = ((await restored.inject({ url: '/api/rooms', headers: bearer(restoredToken) })).json() as { rooms: Array<{ lastSeq: number }> }).rooms
  const seqs: number[] = []
  for (let since = 0, more = true; more;) {
    const page = (await restored.inject({ url: `/api/messages?roomId=${roomId}&since=${since}&limit=100`, headers: bearer(restoredToken) })).json() as { messages: Array<{ seq: number, eventSeq: number }>, hasMore: boolean }
    seqs.push(...page.messages.map((m) => m.seq))
    more = page.hasMore
    since = page.messages.at(-1)?.eventSeq ?? since
  }
  t.same(seqs, Array.from({ length: seqs.length }, (_v, i) => i + 1), 'messages 1..n, no gap')
  t.equal(room!.lastSeq, seqs.length, 'the room\'s lastSeq is its last message')
  t.ok(seqs.length >= ackedBefore && seqs.length <= ackedAfter, `holds what was acked by the time it started, at most what was acked by its end (${ackedBefore} ≤ ${seqs.length} ≤ ${ackedAfter})`)
})

t.test('kill -9 during bin/backup leaves no archive under the final name, and the next backup works', async (t) => {
  const env = await adminEnv(t)
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! })
  try {
    await database.migrate()
    await adminCommands['add-user']({ db: database.db, onRevoked: () => {} }, { username: 'alice', password: PASSWORD })
    const alice = await findUserByUsername(database.db, 'alice')
    const family = await database.db.query.rooms.findFirst()
    // Enough history that the backup is still reading it when it is killed.
    for (let batch = 0; batch < 100; batch++) {
      await database.appendMessages(family!.id, Array.from({ length: 500 }, (_v, i) => ({
        senderId: alice!.id, clientId: null, body: `${batch}-${i} ${'lorem ipsum '.repeat(30)}`, imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, replyToId: null
      })))
    }
  } finally {
    await database.close()
  }
  const dir = tempDir(t)
  const out = join(dir, 'family.tar')
  const child = spawn(join(PROJECT_ROOT, 'bin', 'backup'), ['--out', out], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: 'ignore' })
  const exited = once(child, 'exit')
  // Killed while it is spooling the messages into the archive.
  await eventually('the backup writing its archive', async () => readdirSync(dir).some((f) => f.endsWith('.spool')) ? true : undefined, { everyMs: 5, timeoutMs: 60_000 })
  child.kill('SIGKILL')
  await exited
  t.notOk(existsSync(out), 'no archive under the final name')
  t.ok(readdirSync(dir).every((f) => f.startsWith('.')), 'only a hidden temporary file remains')

  const again = await runBin('backup', ['--out', out], env)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /50,000 messages/)
  t.equal(statSync(out).mode & 0o777, 0o600)
})
