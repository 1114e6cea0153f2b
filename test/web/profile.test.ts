import sharp from 'sharp'
import t from 'tap'
import { bearer, PASSWORD } from '../helper.js'
import { heic } from '../fixtures/images.js'
import { aliceOnPhoneAndLaptop, DEVICES, familyApi, inFamilyRoom, launchBrowser, listeningFamily, noBrowser, openPage, signIn } from '../fixtures/browser.js'

/** A 1200×600 photo: red on the left half, blue on the right. */
const redAndBlue = (): Promise<Buffer> => sharp({ create: { width: 1200, height: 600, channels: 3, background: '#ff0000' } })
  .composite([{ input: { create: { width: 600, height: 600, channels: 3, background: '#0000ff' } }, left: 600, top: 0 }])
  .jpeg().toBuffer()

for (const device of DEVICES) {
  t.test(`${device.name}: a new name and a photo (moved within the round frame) reach the family live; the photo can be removed`, { skip: noBrowser }, async (t) => {
    const { app, origin } = await listeningFamily(t)
    const browser = await launchBrowser(t)
    const aliceApi = await familyApi(app, 'alice')
    await aliceApi.send('Hello from Alice')
    const alice = await openPage(browser, origin, { phone: device.phone })
    await signIn(alice.page, origin, 'alice')
    const bob = await inFamilyRoom(browser, origin, 'bob', { phone: !device.phone })
    await bob.page.locator('.message .sender', { hasText: 'Alice' }).waitFor()

    await alice.page.click('.me')
    const name = alice.page.locator('.profile-name input')
    t.equal(await name.inputValue(), 'Alice')
    await name.fill('  Granny Alice ')
    await alice.page.click('.profile-name button[type=submit]')
    await alice.page.locator('.profile-name .form-status', { hasText: 'Name saved' }).waitFor()
    t.equal(await name.inputValue(), 'Granny Alice', 'as the server stored it, trimmed')
    await bob.page.locator('.message .sender', { hasText: 'Granny Alice' }).waitFor()
    t.equal(await alice.page.locator('.me').textContent(), 'GGranny Alice', 'my own chip: initial and name')

    await alice.page.setInputFiles('.profile-photo-card input[type=file]', { name: 'garden.jpg', mimeType: 'image/jpeg', buffer: await redAndBlue() })
    const frame = alice.page.locator('.crop-frame')
    await alice.page.waitForFunction(() => (document.querySelector<HTMLImageElement>('.crop-frame img')?.naturalWidth ?? 0) > 0)
    // Drag the photo left as far as it goes: the frame shows its right (blue) half.
    const box = (await frame.boundingBox())!
    await alice.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await alice.page.mouse.down()
    await alice.page.mouse.move(box.x - 300, box.y + box.height / 2, { steps: 5 })
    await alice.page.mouse.up()
    await alice.page.locator('.crop-editor button', { hasText: 'Use this photo' }).click()
    await alice.page.locator('.profile-photo-card .form-status', { hasText: 'Photo saved' }).waitFor()
    await alice.page.locator('.profile-photo .avatar img').waitFor()
    await alice.page.locator('.me .avatar img').waitFor({ state: 'attached' })

    const me = (await app.inject({ url: '/api/auth/me', headers: bearer(aliceApi.token) })).json().user as { avatarUrl: string }
    const photo = await app.inject({ url: me.avatarUrl })
    t.equal(photo.statusCode, 200)
    const { width, height } = await sharp(photo.rawPayload).metadata()
    t.same([width, height], [256, 256], 'stored square, 256 px')
    const { channels } = await sharp(photo.rawPayload).stats()
    t.ok(channels[2]!.mean > 200 && channels[0]!.mean < 60, 'what the frame showed is what was kept: the blue half')
    // On a phone in a room the list is out of sight; it is there, with the photo, on going back.
    await bob.page.locator('.person', { hasText: 'Granny Alice' }).locator('.avatar img').waitFor({ state: 'attached' })

    await alice.page.click('.action-remove-photo')
    await alice.page.locator('.profile-photo-card .form-status', { hasText: 'Photo removed' }).waitFor()
    await bob.page.locator('.person', { hasText: 'Granny Alice' }).locator('.avatar img').waitFor({ state: 'detached' })
    t.equal(await alice.page.locator('.me .avatar img').count(), 0)
    t.same(await alice.problems(), [])
    t.same(await bob.problems(), [])
  })
}

t.test('a HEIC photo, which the browser cannot draw, gets a placeholder and is cropped by the server', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin, { phone: true })
  await signIn(alice.page, origin, 'alice')
  await alice.page.click('.me')
  await alice.page.setInputFiles('.profile-photo-card input[type=file]', { name: 'IMG_0001.HEIC', mimeType: 'image/heic', buffer: heic() })
  await alice.page.locator('.crop-frame .photo-placeholder').waitFor()
  t.equal(await alice.page.locator('.crop-frame img').count(), 0, 'no broken image')
  await alice.page.locator('.crop-editor button', { hasText: 'Use this photo' }).click()
  await alice.page.locator('.profile-photo-card .form-status', { hasText: 'Photo saved' }).waitFor()
  const me = (await app.inject({ url: '/api/auth/me', headers: bearer((await familyApi(app, 'alice')).token) })).json().user as { avatarUrl: string }
  t.same(await sharp((await app.inject({ url: me.avatarUrl })).rawPayload).metadata().then((m) => [m.width, m.height]), [256, 256])
  t.same(await alice.problems(), [])
})

t.test('changing the password: refusals are explained, and success logs out my other devices but not this one', { skip: noBrowser }, async (t) => {
  const { origin, phone, laptop } = await aliceOnPhoneAndLaptop(t)
  await phone.page.click('.me')
  const form = phone.page.locator('.profile-password')
  const status = form.locator('.form-status')
  const fill = async (current: string, next: string, again: string): Promise<void> => {
    await form.locator('input[name=currentPassword]').fill(current)
    await form.locator('input[name=newPassword]').fill(next)
    await form.locator('input[name=confirmPassword]').fill(again)
    await form.locator('button[type=submit]').click()
  }
  await fill(PASSWORD, 'a brand new secret', 'a brand new secret!')
  await status.filter({ hasText: 'The new passwords are not the same' }).waitFor()
  await fill('not my password', 'a brand new secret', 'a brand new secret')
  await status.filter({ hasText: 'The current password is wrong' }).waitFor()

  await fill(PASSWORD, 'a brand new secret', 'a brand new secret')
  await status.filter({ hasText: 'Password changed' }).waitFor()
  await laptop.page.locator('.login-form .form-error', { hasText: 'logged out' }).or(laptop.page.locator('.login-form .form-error', { hasText: 'session has ended' })).waitFor()
  await phone.page.goto(`${origin}/#/`)
  await phone.page.reload()
  await phone.page.locator('.room-link').first().waitFor()
  t.equal(await phone.page.locator('.login-form').count(), 0, 'this device keeps its session, with the new token')
  await signIn(laptop.page, origin, 'alice', 'a brand new secret')
  t.same(await phone.problems(), [])
})
