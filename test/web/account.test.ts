import t from 'tap'
import { bearer, login } from '../helper.js'
import { aliceOnPhoneAndLaptop, launchBrowser, noBrowser, PHONE, openPage, openRoom, say, listeningFamily, shownBodies, signIn } from '../fixtures/browser.js'

t.test('a wrong password is refused on the form; the right one logs in and stays logged in across reloads', { skip: noBrowser }, async (t) => {
  const { origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin, { phone: true })
  await alice.page.goto(origin)
  await alice.page.fill('input[name=username]', 'alice')
  await alice.page.fill('input[name=password]', 'not the password')
  await alice.page.click('form.login-form button[type=submit]')
  await alice.page.locator('.form-error', { hasText: 'Wrong username or password' }).waitFor()

  await signIn(alice.page, origin, 'Alice') // usernames are case-insensitive
  await openRoom(alice.page, 'Family')
  await say(alice.page, 'still here after a reload?')
  await alice.page.locator('.message.mine:not(.pending)').waitFor()
  await alice.page.reload()
  await alice.page.locator('.message .body', { hasText: 'still here' }).waitFor()
  t.equal(await alice.page.locator('.login-form').count(), 0, 'no login form after a reload')
  t.same(await shownBodies(alice.page), ['still here after a reload?'], 'the room is reopened, each message once')
  // On a phone's screen nothing overflows sideways.
  t.equal(await alice.page.evaluate(() => document.documentElement.scrollWidth), PHONE.width)
  t.same(await alice.problems(), [])
})

t.test('logging out of another device from the devices screen sends that device to the login form', { skip: noBrowser }, async (t) => {
  const { phone, laptop } = await aliceOnPhoneAndLaptop(t)

  await laptop.page.click('.me')
  await laptop.page.click('.devices-link')
  const sessions = laptop.page.locator('.sessions li')
  await sessions.nth(1).waitFor()
  t.equal(await sessions.count(), 2)
  t.equal(await laptop.page.locator('.sessions li', { hasText: '(this device)' }).count(), 1)
  await laptop.page.locator('.sessions li:not(:has-text("(this device)")) button', { hasText: 'Log out' }).click()
  await sessions.nth(1).waitFor({ state: 'detached' })

  await phone.page.locator('.login-form .form-error', { hasText: 'logged out' }).waitFor()
  await phone.page.reload()
  await phone.page.locator('.login-form').waitFor()
  t.equal(await phone.page.evaluate(() => localStorage.getItem('family-chat.session')), null, 'the phone forgot its token')

  // This device logs itself out.
  await laptop.page.locator('button', { hasText: 'Log out of this device' }).click()
  await laptop.page.locator('.login-form').waitFor()
  await laptop.page.reload()
  await laptop.page.locator('.login-form').waitFor()
  t.same(await phone.problems(), [])
  t.same(await laptop.problems(), [])
})

t.test('older messages load as you scroll up, each once, in order', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const token = await login(app, 'bob')
  const count = 130
  for (let i = 1; i <= count; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { body: `message ${i}` } })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  await signIn(alice.page, origin, 'alice')
  await openRoom(alice.page, 'Family')
  await alice.page.locator('.message .body', { hasText: `message ${count}` }).waitFor()
  t.equal(await alice.page.locator('.message').count(), 50, 'the latest page first')
  while (await alice.page.locator('.older', { hasText: 'The beginning of this conversation' }).count() === 0) {
    // Counted before scrolling: the next page may arrive before a count taken afterwards.
    const shown = await alice.page.locator('.message').count()
    await alice.page.locator('.messages').evaluate((el) => { el.scrollTop = 0 })
    await alice.page.waitForFunction((n) => document.querySelectorAll('.message').length > n, shown)
  }
  t.same(await shownBodies(alice.page), Array.from({ length: count }, (_, i) => `message ${i + 1}`))
  t.same(await alice.problems(), [])
})
