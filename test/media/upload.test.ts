import t from 'tap'
import sharp from 'sharp'
import type { FastifyInstance } from 'fastify'
import { bearer, build, storedMessageCount, userWithToken } from '../helper.js'
import * as images from '../fixtures/images.js'
import { multipart, type FilePart } from '../fixtures/multipart.js'
import { mediaFiles as filesUnder } from '../fixtures/media-files.js'

const upload = (app: FastifyInstance, token: string, fields: Record<string, string>, file?: FilePart) => {
  const { payload, headers } = multipart(fields, file)
  return app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...headers, ...bearer(token) }, payload })
}

/** Fetches a URL the API handed out, the way an <img> tag would (no bearer header). */
const fetchMedia = (app: FastifyInstance, url: string) => app.inject({ url })

const mediaFiles = (app: FastifyInstance): string[] => filesUnder(dataDirOf(app))
const dataDirs = new WeakMap<FastifyInstance, string>()
const dataDirOf = (app: FastifyInstance): string => dataDirs.get(app)!

async function setup (t: Parameters<typeof build>[0]) {
  const { tempDir } = await import('../helper.js')
  const dir = tempDir(t)
  const app = await build(t, { DATA_DIR: dir })
  dataDirs.set(app, dir)
  const alice = await userWithToken(app, 'alice')
  return { app, alice }
}

t.test('a sideways JPEG with GPS is rotated, bounded and stripped of every metadata block', async (t) => {
  const { app, alice } = await setup(t)
  const original = await images.jpegWithExifAndGps()
  t.ok(images.hasMetadataBlocks(original), 'the fixture carries EXIF and GPS')
  const res = await upload(app, alice.token, { body: ' our house ', clientId: 'p1' }, { bytes: original, filename: 'IMG_0001.JPG' })
  t.equal(res.statusCode, 201)
  const { message } = res.json()
  t.match(message, { body: 'our house', clientId: 'p1', seq: 1, image: { width: 200, height: 400 } }, 'dimensions after rotation')
  t.match(message.image.url, /^\/media\/[0-9a-f-]+\.jpg\?exp=\d+&sig=[\w-]+$/)

  const full = await fetchMedia(app, message.image.url)
  t.equal(full.statusCode, 200)
  t.equal(full.headers['content-type'], 'image/jpeg')
  t.match(full.headers['cache-control'], /private.*immutable/)
  t.notOk(images.hasMetadataBlocks(full.rawPayload), 'no EXIF, GPS or XMP in the stored bytes')
  const meta = await sharp(full.rawPayload).metadata()
  t.match(meta, { width: 200, height: 400, format: 'jpeg' })
  t.equal(meta.exif, undefined)
  t.equal(meta.orientation, undefined)
  t.notOk(full.rawPayload.toString('latin1').includes('FamilyPhone'))

  const thumb = await fetchMedia(app, message.image.thumbUrl)
  t.equal(thumb.statusCode, 200)
  const thumbMeta = await sharp(thumb.rawPayload).metadata()
  t.equal(Math.max(thumbMeta.width!, thumbMeta.height!), 320)
  t.notOk(images.hasMetadataBlocks(thumb.rawPayload))
})

t.test('a large photo is bounded to 2048 px with a 320 px thumbnail', async (t) => {
  const { app, alice } = await setup(t)
  const res = await upload(app, alice.token, {}, { bytes: await images.largeJpeg() })
  t.equal(res.statusCode, 201)
  t.match(res.json().message.image, { width: 2048, height: 1365 })
  const thumb = await sharp((await fetchMedia(app, res.json().message.image.thumbUrl)).rawPayload).metadata()
  t.match(thumb, { width: 320, height: 213 })
})

const formats: Array<[string, () => Promise<Buffer> | Buffer, string, [number, number]]> = [
  ['PNG with transparency', images.pngWithAlpha, 'webp', [64, 48]],
  ['WebP', images.webp, 'jpeg', [80, 60]],
  ['AVIF', images.avif, 'jpeg', [80, 60]],
  ['GIF (first frame)', images.gif, 'jpeg', [30, 20]],
  ['HEIC from an iPhone-style encoder', images.heic, 'jpeg', [96, 64]]
]
for (const [name, make, storedAs, [width, height]] of formats) {
  t.test(`accepts ${name}`, async (t) => {
    const { app, alice } = await setup(t)
    // A misleading filename and content type change nothing: the bytes decide.
    const res = await upload(app, alice.token, {}, { bytes: await make(), filename: 'x.txt', contentType: 'text/plain' })
    t.equal(res.statusCode, 201, res.body)
    t.match(res.json().message.image, { width, height })
    const stored = await fetchMedia(app, res.json().message.image.url)
    t.equal((await sharp(stored.rawPayload).metadata()).format, storedAs)
  })
}

t.test('the HEIC decodes to the right pixels', async (t) => {
  const { app, alice } = await setup(t)
  const res = await upload(app, alice.token, {}, { bytes: images.heic(), filename: 'IMG_1234.HEIC', contentType: 'image/heic' })
  const stored = (await fetchMedia(app, res.json().message.image.url)).rawPayload
  const { data, info } = await sharp(stored).raw().toBuffer({ resolveWithObject: true })
  const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3))
  const [lr, , lb] = pixel(10, 32)
  const [rr, , rb] = pixel(80, 32)
  t.ok(lb! > 150 && lr! < 100, `left half blue (${pixel(10, 32).join(',')})`)
  t.ok(rr! > 150 && rb! < 100, `right half orange (${pixel(80, 32).join(',')})`)
})

const refusals: Array<[string, () => Promise<FilePart | undefined>, Record<string, string>, number, string]> = [
  ['a text file named .jpg', async () => ({ bytes: Buffer.from('definitely not a photo, just text\n'.repeat(4)), filename: 'cat.jpg' }), {}, 415, 'unsupported_media_type'],
  ['an SVG', async () => ({ bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>') }), {}, 415, 'unsupported_media_type'],
  ['a truncated JPEG', async () => ({ bytes: await images.truncatedJpeg() }), {}, 415, 'unsupported_media_type'],
  ['a PNG whose pixel data is corrupt', async () => ({ bytes: await images.pngWithCorruptPixels() }), {}, 415, 'unsupported_media_type'],
  ['a WebP whose pixel data is corrupt', async () => ({ bytes: await images.webpWithCorruptPixels() }), {}, 415, 'unsupported_media_type'],
  ['a PNG whose header checksum is wrong', async () => ({ bytes: await images.pngWithBadHeaderChecksum() }), {}, 415, 'unsupported_media_type'],
  ['a pixel bomb', async () => ({ bytes: images.pixelBomb() }), {}, 413, 'payload_too_large'],
  ['no file', async () => undefined, { body: 'caption only' }, 400, 'validation'],
  ['the file under another field name', async () => ({ name: 'photo', bytes: await images.webp() }), {}, 400, 'validation'],
  ['an unknown field', async () => ({ bytes: await images.webp() }), { admin: 'yes' }, 400, 'validation'],
  ['a 4,001-character caption', async () => ({ bytes: await images.webp() }), { body: 'x'.repeat(4001) }, 400, 'validation'],
  ['an empty clientId', async () => ({ bytes: await images.webp() }), { clientId: '' }, 400, 'validation'],
  ['a NUL in the clientId', async () => ({ bytes: await images.webp() }), { clientId: 'photo\u0000' }, 400, 'validation'],
  ['a room that does not exist', async () => ({ bytes: await images.webp() }), { roomId: '00000000-0000-4000-8000-000000000000' }, 404, 'not_found']
]
for (const [name, makeFile, fields, status, code] of refusals) {
  t.test(`uploading ${name} is ${status} ${code} and stores nothing`, async (t) => {
    const { app, alice } = await setup(t)
    const res = await upload(app, alice.token, fields, await makeFile())
    t.equal(res.statusCode, status)
    t.match(res.json(), { statusCode: status, code, message: String })
    t.equal(await storedMessageCount(app), 0)
    t.same(mediaFiles(app), [], 'no file left behind')
  })
}

t.test('damaged photos of every format are stored or refused 415, never a 500', async (t) => {
  const { app, alice } = await setup(t)
  const originals = { jpeg: await images.jpegWithExifAndGps(), png: await images.pngWithAlpha(), webp: await images.webp(), gif: await images.gif(), avif: await images.avif(), heic: images.heic() }
  // A fixed sequence, so a failure names the same bytes on every run.
  let state = 20261208
  const random = (n: number): number => { state = (state * 1103515245 + 12345) % 2 ** 31; return state % n }
  for (const [format, original] of Object.entries(originals)) {
    const seen: Record<number, number> = {}
    for (let i = 0; i < 24; i++) {
      const bytes = Buffer.from(original)
      // Past the first 16 bytes, so that the format is still recognised and the decoder is reached.
      const at = 16 + random(bytes.length - 16)
      if (i % 2 === 0) for (let k = 0; k < 1 + random(8); k++) bytes[16 + random(bytes.length - 16)] = random(256)
      const damaged = i % 2 === 0 ? bytes : bytes.subarray(0, at)
      const res = await upload(app, alice.token, {}, { bytes: damaged })
      seen[res.statusCode] = (seen[res.statusCode] ?? 0) + 1
      if (res.statusCode !== 201) t.match(res.json(), { statusCode: 415, code: 'unsupported_media_type' }, `${format} #${i}`)
    }
    t.comment(`${format}: ${JSON.stringify(seen)}`)
  }
})

t.test('an upload over MAX_UPLOAD_BYTES is 413, stopped while streaming', async (t) => {
  const { tempDir } = await import('../helper.js')
  const dir = tempDir(t)
  const app = await build(t, { DATA_DIR: dir, MAX_UPLOAD_BYTES: '20000' })
  dataDirs.set(app, dir)
  const alice = await userWithToken(app, 'alice')
  const big = await sharp({ create: { width: 800, height: 800, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg().toBuffer()
  t.ok(big.length > 20000)
  const res = await upload(app, alice.token, {}, { bytes: big })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { code: 'payload_too_large' })
  t.equal(await storedMessageCount(app), 0)
  t.same(mediaFiles(app), [])
})

t.test('a room I am not in is 404 before any image work', async (t) => {
  const { app, alice } = await setup(t)
  const bob = await userWithToken(app, 'bob')
  const carol = await userWithToken(app, 'carol')
  const room = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: carol.id } })).json().room
  let processed = 0
  t.capture(app.media.pipeline, 'process', async () => { processed++; throw new Error('must not be called') })
  const res = await upload(app, alice.token, { roomId: room.id }, { bytes: await images.webp() })
  t.equal(res.statusCode, 404)
  t.equal(processed, 0)
  t.equal(await storedMessageCount(app), 0)
})

t.test('an upload retried with its clientId answers the original and stores nothing new', async (t) => {
  const { app, alice } = await setup(t)
  const bytes = await images.webp()
  const first = await upload(app, alice.token, { clientId: 'photo-1' }, { bytes })
  const again = await upload(app, alice.token, { clientId: 'photo-1' }, { bytes })
  t.equal(first.statusCode, 201)
  t.equal(again.statusCode, 200)
  t.equal(again.json().message.id, first.json().message.id)
  t.equal(await storedMessageCount(app), 1)
  t.equal(mediaFiles(app).length, 2, 'one image and one thumbnail')
})

t.test('a multipart body cut short or out of shape is 400 validation, on both photo routes, and stores nothing', async (t) => {
  const { app, alice } = await setup(t)
  const { payload, headers } = multipart({ body: 'caption' }, { bytes: await images.webp() })
  const boundary = headers['content-type']!.split('boundary=')[1]!
  const bodies: Array<[string, Buffer]> = [
    ['cut off inside the file', payload.subarray(0, payload.length - 100)],
    ['cut off after the first boundary', Buffer.from(`--${boundary}\r\nbroken`)],
    ['a part whose header never ends', Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n`)]
  ]
  for (const [what, body] of bodies) {
    for (const [method, url] of [['POST', '/api/messages/upload'], ['PUT', '/api/users/me/avatar']] as const) {
      const res = await app.inject({ method, url, headers: { ...headers, ...bearer(alice.token) }, payload: body })
      t.equal(res.statusCode, 400, `${url}: ${what}`)
      t.match(res.json(), { statusCode: 400, code: 'validation', message: String }, `${url}: ${what}`)
    }
  }
  t.equal(await storedMessageCount(app), 0)
  t.same(mediaFiles(app), [], 'no file left behind')
  t.equal((await app.inject({ url: '/api/auth/me', headers: bearer(alice.token) })).json().user.avatarUrl, null)
})

t.test('a non-multipart request to the upload route is refused', async (t) => {
  const { app, alice } = await setup(t)
  const res = await app.inject({ method: 'POST', url: '/api/messages/upload', headers: bearer(alice.token), payload: { file: 'x' } })
  t.equal(res.statusCode, 415)
  t.match(res.json(), { code: 'unsupported_media_type' })
})

t.test('deleting an image message deletes its files', async (t) => {
  const { app, alice } = await setup(t)
  const res = await upload(app, alice.token, {}, { bytes: await images.webp() })
  t.equal(mediaFiles(app).length, 2)
  const { message } = res.json()
  const deleted = await app.inject({ method: 'DELETE', url: `/api/messages/${message.id as string}`, headers: bearer(alice.token) })
  t.match(deleted.json().message, { image: null, body: '' })
  t.same(mediaFiles(app), [])
  t.equal((await fetchMedia(app, message.image.url)).statusCode, 404)
})
