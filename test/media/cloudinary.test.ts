import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { bearer, build, storedMessageCount, userWithToken } from '../helper.js'
import { startFakeCloudinary, CLOUD } from '../fixtures/fake-cloudinary.js'
import * as images from '../fixtures/images.js'
import { multipart } from '../fixtures/multipart.js'

async function upload (app: FastifyInstance, token: string) {
  const { payload, headers } = multipart({ body: 'to the cloud' }, { bytes: await images.jpegWithExifAndGps() })
  return await app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...headers, ...bearer(token) }, payload })
}

t.test('with CLOUDINARY_URL, photos go to Cloudinary as authenticated assets with signed URLs', async (t) => {
  const fake = await startFakeCloudinary(t)
  const app = await build(t, { CLOUDINARY_URL: fake.cloudinaryUrl })
  const alice = await userWithToken(app, 'alice')
  const res = await upload(app, alice.token)
  t.equal(res.statusCode, 201, res.body)
  const { message } = res.json()
  t.equal(fake.assets.size, 1)
  const [[publicId, asset]] = [...fake.assets.entries()] as [[string, { type: string, bytes: number, data: Buffer }]]
  t.equal(asset.type, 'authenticated', 'never a public upload')
  t.ok(asset.bytes > 0)
  t.match(message.image, { width: 200, height: 400 })
  const signed = new RegExp(`^https://res\\.cloudinary\\.com/${CLOUD}/image/authenticated/s--[\\w-]{8}--/`)
  t.match(message.image.url, signed)
  t.match(message.image.url, new RegExp(`${publicId}\\.jpg$`))
  t.match(message.image.thumbUrl, signed)
  t.match(message.image.thumbUrl, /c_limit,h_320,w_320/)
  t.equal((await app.inject({ url: `/media/${encodeURIComponent(publicId)}.jpg` })).statusCode, 403, 'nothing is served locally')

  const deleted = await app.inject({ method: 'DELETE', url: `/api/messages/${message.id as string}`, headers: bearer(alice.token) })
  t.equal(deleted.statusCode, 200)
  t.same(fake.destroyed, [publicId], 'the asset is destroyed with its message')
  t.equal(fake.assets.size, 0)
})

for (const mode of ['error', 'hang'] as const) {
  t.test(`a Cloudinary that ${mode === 'error' ? 'answers an error' : 'never answers'} gives a clean 500 and stores nothing`, async (t) => {
    const fake = await startFakeCloudinary(t)
    fake.mode = mode
    const app = await build(t, { CLOUDINARY_URL: fake.cloudinaryUrl }, { cloudinaryTimeoutMs: 300 })
    const alice = await userWithToken(app, 'alice')
    const res = await upload(app, alice.token)
    t.equal(res.statusCode, 500)
    t.same(res.json(), { statusCode: 500, code: 'internal', error: 'Internal Server Error', message: 'Internal server error' })
    t.equal(await storedMessageCount(app), 0, 'no message')
    t.equal(fake.assets.size, 0, 'no asset')
    fake.mode = 'ok'
    t.equal((await upload(app, alice.token)).statusCode, 201, 'works again once Cloudinary is back')
  })
}
