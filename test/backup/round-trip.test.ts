import { statSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { bearer, freshPostgresDatabase, login, PASSWORD, tempDir, TEST_SECRET, type TestContext } from '../helper.js'
import { familyState, makeFamily } from '../fixtures/family-state.js'
import { serve } from '../fixtures/served-app.js'
import { runBin } from '../fixtures/processes.js'

type Engine = 'pglite' | 'postgres'
const postgresUrl = process.env.DATABASE_URL

/** A server's environment on a new, empty target of the given engine (DATABASE_URL '' is unset). */
async function target (t: TestContext, engine: Engine): Promise<Record<string, string>> {
  return {
    DATA_DIR: tempDir(t),
    JWT_SECRET: TEST_SECRET,
    DATABASE_URL: engine === 'postgres' ? await freshPostgresDatabase(t, postgresUrl!) : ''
  }
}

async function roundTrip (t: Test, from: Engine, to: Engine): Promise<void> {
  const source = await target(t, from)
  const app = await serve(t, source)
  // Three images survive: two photos and a profile photo (the deleted photo's files went with it).
  const family = await makeFamily(app)
  const before = { alice: await familyState(app, family.aliceToken), bob: await familyState(app, family.bobToken) }
  const archive = join(tempDir(t), 'family.tar')

  const backup = await runBin('backup', ['--out', archive], source)
  t.equal(backup.code, 0, backup.stderr)
  t.match(backup.stdout, /wrote .*family\.tar: 2 users, 2 rooms, 9 messages, 3 photos and avatars/)
  t.match(backup.stdout, /through the server running on it/)
  t.equal(statSync(archive).mode & 0o777, 0o600, 'only its owner can read it')
  await app.close()

  const restoredEnv = await target(t, to)
  const restore = await runBin('restore', [archive], restoredEnv)
  t.equal(restore.code, 0, restore.stderr)
  t.match(restore.stdout, /restored .*: 2 users, 2 rooms, 9 messages, 3 photos and avatars/)

  const restored = await serve(t, restoredEnv)
  const oldToken = await restored.inject({ url: '/api/rooms', headers: bearer(family.aliceToken) })
  t.equal(oldToken.statusCode, 401, 'sessions are not restored: old tokens do not work')
  const after = { alice: await familyState(restored, await login(restored, 'alice', PASSWORD)), bob: await familyState(restored, await login(restored, 'bob', PASSWORD)) }
  t.same(after, before, 'every message, seq, eventSeq, reaction, reply, read marker, room setting, profile and photo as it was')
  t.notMatch(JSON.stringify(after), /missing/, 'every photo is served')
}

const engine: Engine = postgresUrl === undefined ? 'pglite' : 'postgres'
t.test(`a backup taken while the server runs restores everything (${engine})`, (t) => roundTrip(t, engine, engine))

t.test('moving engines: PGlite to PostgreSQL and back', { skip: postgresUrl === undefined && 'needs DATABASE_URL (the PostgreSQL pass)' }, async (t) => {
  await t.test('embedded → PostgreSQL', (t) => roundTrip(t, 'pglite', 'postgres'))
  await t.test('PostgreSQL → embedded', (t) => roundTrip(t, 'postgres', 'pglite'))
})
