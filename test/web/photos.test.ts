import { readFileSync } from 'node:fs'
import t from 'tap'
import { bearer, login } from '../helper.js'
import { heic, jpegWithExifAndGps, noisyJpeg } from '../fixtures/images.js'
import { inFamilyRoom, launchBrowser, noBrowser, listeningFamily } from '../fixtures/browser.js'

t.test('a photo with a caption is previewed, uploaded with progress, and seen by the other, full size on a tap', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await inFamilyRoom(browser, origin, 'alice', { phone: true })
  const bob = await inFamilyRoom(browser, origin, 'bob')

  // A slow uplink (DevTools throttling) so the progress bar can be seen moving.
  const cdp = await alice.page.context().newCDPSession(alice.page)
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 512 * 1024 })
  await alice.page.setInputFiles('.composer input[type=file]', { name: 'beach.jpg', mimeType: 'image/jpeg', buffer: await noisyJpeg(1200, 900) })
  await alice.page.locator('.photo-banner img').waitFor()
  t.match(await alice.page.locator('.photo-banner img').getAttribute('src'), /^blob:/, 'a local preview before sending')
  await alice.page.fill('.composer textarea', 'At the beach 🏖️')
  await alice.page.press('.composer textarea', 'Enter')
  await alice.page.waitForFunction(() => {
    const bar = document.querySelector<HTMLProgressElement>('.message.pending progress')
    return bar !== null && bar.value > 0.05 && bar.value < 0.95
  })
  t.pass('upload progress is shown')

  const thumb = bob.page.locator('.message .photo img')
  await thumb.waitFor()
  await bob.page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('.message .photo img')
    return img !== null && img.complete && img.naturalWidth > 0
  })
  t.equal(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth), 320, 'the thumbnail (longest edge 320) is shown')
  t.equal(await bob.page.locator('.message', { has: bob.page.locator('.photo img') }).locator('.body').textContent(), 'At the beach 🏖️')
  t.match(await thumb.getAttribute('src'), /^\/media\//, 'served by this server, signed')

  await bob.page.locator('.message .photo').click()
  const full = bob.page.locator('.lightbox img')
  await full.waitFor()
  await bob.page.waitForFunction(() => (document.querySelector<HTMLImageElement>('.lightbox img')?.naturalWidth ?? 0) > 0)
  t.equal(await full.evaluate((img: HTMLImageElement) => img.naturalWidth), 1200, 'full size is the stored photo, 1200 px wide')
  // Saved from the lightbox: the stored photo's bytes, under its own file name.
  const [download] = await Promise.all([bob.page.waitForEvent('download'), bob.page.locator('.lightbox-save').click()])
  t.match(download.suggestedFilename(), /^[\w-]+\.(jpg|webp)$/)
  const savedPath = await download.path()
  const fullUrl = await full.getAttribute('src')
  t.same(readFileSync(savedPath), (await app.inject({ url: fullUrl! })).rawPayload, 'the saved file is the full-size photo')
  await bob.page.keyboard.press('Escape')
  await full.waitFor({ state: 'detached' })

  // The sender's own copy became the stored message (no pending left, one message stored).
  await alice.page.locator('.message.mine:not(.pending) .photo img').waitFor()
  t.equal(await alice.page.locator('.message.pending').count(), 0)
  const stored = await app.inject({ method: 'GET', url: '/api/messages', headers: bearer(await login(app, 'alice')) })
  const messages = (stored.json() as { messages: Array<{ body: string, image: { width: number } | null }> }).messages
  t.match(messages, [{ body: 'At the beach 🏖️', image: { width: 1200, height: 900 } }])
  t.equal(messages.length, 1)
  t.same(await alice.problems(), [])
  t.same(await bob.problems(), [])
})

t.test('a file that is not an image is refused with the server\'s reason and can be discarded', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await inFamilyRoom(browser, origin, 'alice')
  await alice.page.setInputFiles('.composer input[type=file]', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not really a photo') })
  await alice.page.press('.composer textarea', 'Enter')
  const failed = alice.page.locator('.message.pending .send-error')
  await failed.waitFor()
  t.match(await failed.textContent(), /^Not sent: /)
  await alice.page.locator('.message.pending button', { hasText: 'Discard' }).click()
  await alice.page.locator('.message.pending').waitFor({ state: 'detached' })
  const stored = await app.inject({ method: 'GET', url: '/api/messages', headers: bearer(await login(app, 'alice')) })
  t.equal((stored.json() as { messages: unknown[] }).messages.length, 0, 'nothing stored')
  // Photos keep working afterwards.
  await alice.page.setInputFiles('.composer input[type=file]', { name: 'ok.jpg', mimeType: 'image/jpeg', buffer: await jpegWithExifAndGps() })
  await alice.page.press('.composer textarea', 'Enter')
  await alice.page.locator('.message.mine:not(.pending) .photo img').waitFor()
  t.same(await alice.problems(), [])
})

t.test('a HEIC photo, which Chromium cannot draw, is previewed by a placeholder until the server has converted it', { skip: noBrowser }, async (t) => {
  const { origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await inFamilyRoom(browser, origin, 'alice', { phone: true })
  await alice.page.setInputFiles('.composer input[type=file]', { name: 'IMG_0420.HEIC', mimeType: 'image/heic', buffer: heic() })
  await alice.page.locator('.photo-banner .photo-placeholder').waitFor()
  t.equal(await alice.page.locator('.photo-banner img').count(), 0, 'no broken image in the composer')
  await alice.page.press('.composer textarea', 'Enter')
  const stored = alice.page.locator('.message.mine:not(.pending) .photo img')
  await stored.waitFor()
  await alice.page.waitForFunction(() => (document.querySelector<HTMLImageElement>('.message:not(.pending) .photo img')?.naturalWidth ?? 0) > 0)
  t.pass('once stored, the converted thumbnail is shown')
  t.same(await alice.problems(), [])
})
