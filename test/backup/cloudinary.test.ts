import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { login, PASSWORD, tempDir } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { startFakeCloudinary } from '../fixtures/fake-cloudinary.js'
import { familyState, makeFamily } from '../fixtures/family-state.js'
import { serve } from '../fixtures/served-app.js'
import { runBin } from '../fixtures/processes.js'

/** The state with every image reference made the same: Cloudinary's URLs and local hashes differ by nature. */
const withoutImageRefs = (state: unknown): unknown =>
  JSON.parse(JSON.stringify(state).replace(/"(https:\/\/res\.cloudinary\.com\/[^"]+|sha256:[0-9a-f]+)"/g, '"image"'))

t.test('a Cloudinary family backs up with its photos\' bytes and restores onto local storage', async (t) => {
  const fake = await startFakeCloudinary(t)
  const source = { ...await adminEnv(t), CLOUDINARY_URL: fake.cloudinaryUrl }
  const app = await serve(t, source)
  const family = await makeFamily(app)
  const before = await familyState(app, family.aliceToken)
  await app.close()

  const archive = join(tempDir(t), 'cloud.tar')
  const backup = await runBin('backup', ['--out', archive], source)
  t.equal(backup.code, 0, backup.stderr)
  t.match(backup.stdout, /3 photos and avatars/)
  t.same([...fake.downloads].sort(), [...fake.assets.keys()].sort(), 'each stored original downloaded once, through the signed API download')

  const local = await adminEnv(t)
  const restore = await runBin('restore', [archive], local)
  t.equal(restore.code, 0, restore.stderr)
  const restored = await serve(t, local)
  const after = await familyState(restored, await login(restored, 'alice', PASSWORD))
  t.same(withoutImageRefs(after), withoutImageRefs(before), 'every message, reaction, reply and marker as it was')
  t.notMatch(JSON.stringify(after), /missing|res\.cloudinary\.com/, 'every image now served from local storage, thumbnails included')
  const served = new Set(JSON.stringify(after).match(/sha256:[0-9a-f]+/g))
  for (const asset of fake.assets.values()) {
    t.ok(served.has(`sha256:${createHash('sha256').update(asset.data).digest('hex')}`), 'the original\'s bytes, unchanged')
  }
})

t.test('a Cloudinary outage fails the backup cleanly: exit 1, no archive', async (t) => {
  const fake = await startFakeCloudinary(t)
  const source = { ...await adminEnv(t), CLOUDINARY_URL: fake.cloudinaryUrl }
  const app = await serve(t, source)
  await makeFamily(app)
  await app.close()
  fake.mode = 'error'
  const archive = join(tempDir(t), 'cloud.tar')
  const backup = await runBin('backup', ['--out', archive], source)
  t.equal(backup.code, 1)
  t.match(backup.stderr, /cloudinary download of .* answered 500/)
  t.notOk(existsSync(archive))
})
