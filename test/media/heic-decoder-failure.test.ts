import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { PROJECT_ROOT } from '../../db/paths.js'
import { bearer, storedMessageCount, userWithToken } from '../helper.js'
import { buildWithLog } from '../fixtures/logged-app.js'
import * as images from '../fixtures/images.js'
import { multipart } from '../fixtures/multipart.js'

const workers = {
  'cannot start': pathToFileURL(join(PROJECT_ROOT, 'test/fixtures/no-such-heic-worker.mjs')),
  dies: pathToFileURL(join(PROJECT_ROOT, 'test/fixtures/dying-worker.mjs'))
}

for (const [what, heicWorkerUrl] of Object.entries(workers)) {
  t.test(`a HEIC decoder that ${what} is a logged 500, never a 415 blaming the photo`, async (t) => {
    const { app, log } = await buildWithLog(t, {}, { heicWorkerUrl })
    const alice = await userWithToken(app, 'alice')
    const { payload, headers } = multipart({ clientId: 'h1' }, { bytes: images.heic(), filename: 'IMG_0001.HEIC', contentType: 'image/heic' })
    const res = await app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...headers, ...bearer(alice.token) }, payload })
    t.equal(res.statusCode, 500)
    t.same(res.json(), { statusCode: 500, code: 'internal', error: 'Internal Server Error', message: 'Internal server error' })
    t.match(log(), /HEIC decoder failed/, 'the cause is logged for the operator')
    t.match(log(), /"url":"\/api\/messages\/upload"/, 'with the request it failed')
    t.equal(await storedMessageCount(app), 0, 'nothing stored')

    // A JPEG does not need the decoder: photos from other phones keep working.
    const jpeg = multipart({}, { bytes: await images.largeJpeg(), filename: 'a.jpg' })
    const ok = await app.inject({ method: 'POST', url: '/api/messages/upload', headers: { ...jpeg.headers, ...bearer(alice.token) }, payload: jpeg.payload })
    t.equal(ok.statusCode, 201)
  })
}
