import { copyFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import t from 'tap'
import { currentSchemaVersion } from '../../db/migrate.js'
import { tempDir } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { manifestOf, withFlippedByte, withManifest } from '../fixtures/archives.js'
import { makeFamily } from '../fixtures/family-state.js'
import { mediaFiles } from '../fixtures/media-files.js'
import { serve } from '../fixtures/served-app.js'
import { runBin } from '../fixtures/processes.js'

/** True when a restore left the target as it found it: no database made, no photo stored. */
async function untouched (env: Record<string, string>): Promise<boolean> {
  if (mediaFiles(env.DATA_DIR!).length > 0) return false
  if (env.DATABASE_URL === undefined) return !existsSync(join(env.DATA_DIR!, 'pglite'))
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from information_schema.tables where table_schema in ('public', 'drizzle')`
    return row!.n === 0
  } finally {
    await sql.end()
  }
}

// One family, backed up once with no server running; every refusal below starts from it.
const source = await adminEnv(t)
const dir = tempDir(t)
const archive = join(dir, 'family.tar')
{
  const app = await serve(t, source)
  await makeFamily(app)
  await app.close()
  const backup = await runBin('backup', ['--out', archive], source)
  if (backup.code !== 0) throw new Error(backup.stderr)
}

t.test('usage errors exit 2; --help explains', async (t) => {
  const env = await adminEnv(t)
  t.equal((await runBin('restore', [], env)).code, 2)
  t.equal((await runBin('restore', [archive, archive], env)).code, 2)
  t.equal((await runBin('restore', ['--bogus', archive], env)).code, 2)
  const help = await runBin('restore', ['--help'], env)
  t.equal(help.code, 0)
  t.match(help.stdout, /usage: bin\/restore FILE/)
  const backupHelp = await runBin('backup', ['--help'], env)
  t.match(backupHelp.stdout, /usage: bin\/backup \[--out FILE\]/)
  t.ok(await untouched(env))
})

t.test('bin/backup never overwrites a file', async (t) => {
  const existing = join(tempDir(t), 'keep.tar')
  writeFileSync(existing, 'precious')
  const res = await runBin('backup', ['--out', existing], source)
  t.equal(res.code, 1)
  t.match(res.stderr, /already exists/)
  t.equal(readFileSync(existing, 'utf8'), 'precious')
})

t.test('a target that holds a family is refused and left as it was', async (t) => {
  const res = await runBin('restore', [archive], source)
  t.equal(res.code, 1)
  t.match(res.stderr, /already holds (a family|photos).*nothing was changed/)
  // Backed up again, it holds exactly the same rows as before.
  const again = join(tempDir(t), 'again.tar')
  t.equal((await runBin('backup', ['--out', again], source)).code, 0)
  const data = async (path: string) => (await manifestOf(path)).entries.filter((e) => e.name.startsWith('data/'))
  t.same(await data(again), await data(archive))
})

t.test('a database with users in it is refused, even with no photos yet', async (t) => {
  const env = await adminEnv(t)
  t.equal((await runBin('add-user', ['carol'], env, 'correct horse battery\n')).code, 0)
  const res = await runBin('restore', [archive], env)
  t.equal(res.code, 1)
  t.match(res.stderr, /the target database already holds a family: restore into a new DATA_DIR or an empty PostgreSQL database; nothing was changed/)
  t.match((await runBin('list-users', [], env)).stdout, /^carol\s+active/m, 'and left as it was')
  t.notMatch((await runBin('list-users', [], env)).stdout, /alice/)
})

t.test('a target with a server running on it is refused', async (t) => {
  const env = await adminEnv(t)
  const app = await serve(t, env)
  const res = await runBin('restore', [archive], env)
  t.equal(res.code, 1)
  t.match(res.stderr, /a server is running on .*: stop it first; nothing was changed/)
  const users = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: 'correct horse battery' } })
  t.equal(users.statusCode, 401, 'nobody was restored under the running server')
})

const damaged: Array<[string, (to: string) => Promise<void> | void, RegExp]> = [
  ['a flipped byte in the data', (to) => withFlippedByte(archive, to, 0.05), /damaged/],
  ['a flipped byte in a photo', (to) => withFlippedByte(archive, to, 0.6), /damaged/],
  ['a truncated archive', (to) => { copyFileSync(archive, to); truncateSync(to, Math.floor(statSync(to).size / 2)) }, /damaged or truncated/],
  ['an archive cut just before its manifest', async (to) => {
    copyFileSync(archive, to)
    const manifestAt = readFileSync(to).indexOf('manifest.json')
    truncateSync(to, manifestAt)
  }, /truncated|no manifest/],
  ['a file that is not an archive', (to) => writeFileSync(to, 'hello\n'.repeat(200)), /damaged|not a Family Chat backup|no manifest/],
  ['a manifest that lists an entry the archive lacks', (to) => withManifest(archive, to, (m) => ({ ...m, entries: [...m.entries, { name: 'media/x.jpg', size: 1, sha256: '00' }] })), /entries/],
  ['an archive from a newer schema', (to) => withManifest(archive, to, (m) => ({ ...m, schemaVersion: currentSchemaVersion() + 1 })), /newer Family Chat.*upgrade first/],
  ['an archive of a newer format', (to) => withManifest(archive, to, (m) => ({ ...m, version: m.version + 1 })), /newer Family Chat/]
]
for (const [what, make, message] of damaged) {
  t.test(`${what} is refused, and nothing is changed`, async (t) => {
    const bad = join(tempDir(t), 'bad.tar')
    await make(bad)
    const env = await adminEnv(t)
    const res = await runBin('restore', [bad], env)
    t.equal(res.code, 1)
    t.match(res.stderr, message)
    t.match(res.stderr, /nothing was changed/)
    t.ok(await untouched(env), 'no database was created and no photo stored')
  })
}
