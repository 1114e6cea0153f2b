import t from 'tap'
import sharp from 'sharp'
import type { FastifyInstance } from 'fastify'
import { users } from '../../db/schema/index.js'
import { aliceAndBob, bearer, tempDir } from '../helper.js'
import { startFakeCloudinary } from '../fixtures/fake-cloudinary.js'
import * as images from '../fixtures/images.js'
import { mediaFiles } from '../fixtures/media-files.js'
import { multipart, type FilePart } from '../fixtures/multipart.js'
import { openSocket } from '../fixtures/ws-client.js'

const putAvatar = (app: FastifyInstance, token: string, file?: FilePart, fields: Record<string, string> = {}) => {
  const { payload, headers } = multipart(fields, file)
  return app.inject({ method: 'PUT', url: '/api/users/me/avatar', headers: { ...headers, ...bearer(token) }, payload })
}
const removeAvatar = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'DELETE', url: '/api/users/me/avatar', headers: bearer(token) })
const profiles = (app: FastifyInstance) => app.database.db.select({ id: users.id, avatarKey: users.avatarKey, avatarThumbKey: users.avatarThumbKey }).from(users).orderBy(users.username)

async function family (t: Parameters<typeof aliceAndBob>[0]) {
  const dataDir = tempDir(t)
  return { dataDir, ...await aliceAndBob(t, { DATA_DIR: dataDir }) }
}

t.test('a profile photo: cropped square to 256 px, metadata gone, served through a signed URL', async (t) => {
  const { app, alice, bob, dataDir } = await family(t)
  const res = await putAvatar(app, alice.token, { bytes: await images.jpegWithExifAndGps() })
  t.equal(res.statusCode, 200, res.body)
  const { user } = res.json()
  t.match(user, { id: alice.id, username: 'alice' })
  t.match(user.avatarUrl, /^\/media\/[^?]+\?exp=\d+&sig=/)
  const image = await app.inject({ url: user.avatarUrl })
  t.equal(image.statusCode, 200)
  const meta = await sharp(image.rawPayload).metadata()
  t.same([meta.width, meta.height, meta.format], [256, 256, 'jpeg'])
  t.notOk(images.hasMetadataBlocks(image.rawPayload), 'no EXIF, no GPS')
  t.equal((await app.inject({ url: user.avatarUrl.replace(/sig=[^&]+/, 'sig=forged') })).statusCode, 403)
  const seen = (await app.inject({ url: '/api/users', headers: bearer(bob.token) })).json().users.find((u: { id: string }) => u.id === alice.id)
  t.match(seen.avatarUrl, /^\/media\//)
  t.equal(mediaFiles(dataDir).length, 2, 'the photo and its small version')
})

t.test('a wide photo and an iPhone HEIC both come out square', async (t) => {
  const { app, alice } = await family(t)
  for (const bytes of [await images.largeJpeg(), images.heic()]) {
    const res = await putAvatar(app, alice.token, { bytes })
    t.equal(res.statusCode, 200, res.body)
    const meta = await sharp((await app.inject({ url: res.json().user.avatarUrl })).rawPayload).metadata()
    t.same([meta.width, meta.height], [256, 256])
  }
})

t.test('a new photo replaces the old one (its files go); removing it leaves none; room mates hear of each', async (t) => {
  const { app, alice, bob, dataDir } = await family(t)
  const socket = await openSocket(app, bob.token)
  const first = (await putAvatar(app, alice.token, { bytes: await images.webp() })).json().user
  t.same((await socket.next('user.updated')).data.user, first)
  const before = mediaFiles(dataDir)
  const second = (await putAvatar(app, alice.token, { bytes: await images.pngWithAlpha() })).json().user
  t.not(second.avatarUrl, first.avatarUrl)
  t.equal(mediaFiles(dataDir).length, 2)
  t.notOk(mediaFiles(dataDir).some((f) => before.includes(f)), 'the old files are gone')
  t.same((await socket.next('user.updated')).data.user, second)
  const removed = await removeAvatar(app, alice.token)
  t.equal(removed.statusCode, 200)
  t.equal(removed.json().user.avatarUrl, null)
  t.same(mediaFiles(dataDir), [])
  t.equal(((await socket.next('user.updated')).data.user as { avatarUrl: unknown }).avatarUrl, null)
  const again = await removeAvatar(app, alice.token)
  t.equal(again.statusCode, 200, 'removing none is fine')
  t.equal((await socket.request('ping', {})).type, 'pong')
  t.equal(socket.frames.filter((f) => f.type === 'user.updated').length, 3, 'and tells nobody')
  await socket.close()
})

const refusals: Array<[string, number, string, () => Promise<{ file?: FilePart, fields?: Record<string, string> }>]> = [
  ['a text file named .jpg', 415, 'unsupported_media_type', async () => ({ file: { bytes: Buffer.from('not a photo at all'), filename: 'me.jpg' } })],
  ['a truncated JPEG', 415, 'unsupported_media_type', async () => ({ file: { bytes: await images.truncatedJpeg() } })],
  ['a PNG whose pixel data is corrupt', 415, 'unsupported_media_type', async () => ({ file: { bytes: await images.pngWithCorruptPixels() } })],
  ['a PNG whose header checksum is wrong', 415, 'unsupported_media_type', async () => ({ file: { bytes: await images.pngWithBadHeaderChecksum() } })],
  ['a pixel bomb', 413, 'payload_too_large', async () => ({ file: { bytes: images.pixelBomb() } })],
  ['no file', 400, 'validation', async () => ({ fields: { note: 'x' } })],
  ['an empty file', 400, 'validation', async () => ({ file: { bytes: Buffer.alloc(0) } })],
  ['the file in another field', 400, 'validation', async () => ({ file: { name: 'photo', bytes: await images.webp() } })],
  ['an extra field', 400, 'validation', async () => ({ file: { bytes: await images.webp() }, fields: { roomId: 'x' } })],
  ['a file over the upload limit', 413, 'payload_too_large', async () => ({ file: { bytes: Buffer.alloc(2 * 1024 * 1024, 1) } })]
]
for (const [name, status, code, make] of refusals) {
  t.test(`a profile photo that is ${name} is ${status} ${code} and changes nothing`, async (t) => {
    const dataDir = tempDir(t)
    const { app, alice } = await aliceAndBob(t, { DATA_DIR: dataDir, MAX_UPLOAD_BYTES: String(1024 * 1024) })
    const kept = (await putAvatar(app, alice.token, { bytes: await images.webp() })).json().user
    const before = { rows: await profiles(app), files: mediaFiles(dataDir) }
    const { file, fields } = await make()
    const res = await putAvatar(app, alice.token, file, fields)
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code })
    t.same({ rows: await profiles(app), files: mediaFiles(dataDir) }, before)
    t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(alice.token) })).json().user.avatarUrl.split('?')[0], kept.avatarUrl.split('?')[0])
  })
}

t.test('with Cloudinary, the profile photo is an authenticated asset with a signed URL, destroyed when replaced', async (t) => {
  const fake = await startFakeCloudinary(t)
  const { app, alice } = await aliceAndBob(t, { CLOUDINARY_URL: fake.cloudinaryUrl })
  const first = (await putAvatar(app, alice.token, { bytes: await images.jpegWithExifAndGps() })).json().user
  t.match(first.avatarUrl, /^https:\/\/res\.cloudinary\.com\/[^/]+\/image\/authenticated\/s--[\w-]{8}--\//)
  t.equal(fake.assets.size, 1)
  const [[publicId, asset]] = [...fake.assets.entries()] as [[string, { type: string, bytes: number, data: Buffer }]]
  t.equal(asset.type, 'authenticated')
  await removeAvatar(app, alice.token)
  t.same(fake.destroyed, [publicId])
  t.equal(fake.assets.size, 0)
})

t.test('profile photos need a token', async (t) => {
  const { app } = await aliceAndBob(t)
  const { payload, headers } = multipart({}, { bytes: await images.webp() })
  t.equal((await app.inject({ method: 'PUT', url: '/api/users/me/avatar', headers, payload })).statusCode, 401)
  t.equal((await app.inject({ method: 'DELETE', url: '/api/users/me/avatar' })).statusCode, 401)
})
