import t from 'tap'
import { bearer, login } from '../helper.js'
import { DEVICES, familyApi, launchBrowser, listeningFamily, noBrowser, openPage, openRoom, signIn } from '../fixtures/browser.js'

for (const device of DEVICES) {
  t.test(`${device.name}: search finds words by their start, accents folded, in all rooms or one; a result opens the room at the message`, { skip: noBrowser }, async (t) => {
    const { app, origin } = await listeningFamily(t)
    const browser = await launchBrowser(t)
    const bob = await familyApi(app, 'bob')
    const aliceId = (await app.inject({ url: '/api/auth/me', headers: bearer(await login(app, 'alice')) })).json().user.id as string
    const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: aliceId } })).json().room.id as string
    const early = await bob.send('The École fête is on Saturday')
    for (let i = 1; i <= 60; i++) await bob.send(`chatter ${i}`)
    await bob.send('Ecole pick-up at 4, can you?', { roomId: direct })
    await bob.send('school is closed Monday')

    const alice = await openPage(browser, origin, { phone: device.phone })
    await signIn(alice.page, origin, 'alice')
    await alice.page.click('.sidebar .search-link')
    await alice.page.fill('.search-form input', 'ecol')
    const results = alice.page.locator('.search-result')
    await results.nth(1).waitFor()
    t.same(await results.locator('.search-body').allTextContents(), ['Ecole pick-up at 4, can you?', 'The École fête is on Saturday'], 'newest first, both rooms, accents folded')
    t.same(await results.locator('mark').allTextContents(), ['Ecole', 'École'], 'the matching words are marked')
    t.match(await results.nth(0).locator('.search-context').textContent(), /^Bob in Bob/, 'each result says who and where')

    await alice.page.fill('.search-form input', 'no such word here')
    await alice.page.locator('.search-status', { hasText: 'Nothing found' }).waitFor()
    t.equal(await results.count(), 0)

    // In one room: from the room's header, scoped to it.
    await alice.page.goto(`${origin}/#/`)
    await openRoom(alice.page, 'Family')
    await alice.page.click('.room .search-link')
    await alice.page.fill('.search-form input', 'ecole')
    await results.first().waitFor()
    await alice.page.waitForFunction(() => document.querySelector('.search-status')?.textContent === '')
    t.same(await results.locator('.search-body').allTextContents(), ['The École fête is on Saturday'], 'only this room')
    await results.first().click()
    const shown = alice.page.locator(`.message-list .message[data-id="${early.id}"]`)
    await shown.and(alice.page.locator('.flash')).waitFor()
    t.ok(await shown.evaluate((el) => {
      const box = el.getBoundingClientRect()
      const pane = el.closest('.messages')!.getBoundingClientRect()
      return box.top >= pane.top && box.bottom <= pane.bottom
    }), 'opened at the message, older pages loaded to reach it')
    t.same(await alice.problems(), [])
  })
}

t.test('more results load page by page until the last', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const bob = await familyApi(app, 'bob')
  for (let i = 1; i <= 25; i++) await bob.send(`birthday idea ${i}`)
  const alice = await openPage(browser, origin)
  await signIn(alice.page, origin, 'alice')
  await alice.page.click('.sidebar .search-link')
  await alice.page.fill('.search-form input', 'birthday')
  const results = alice.page.locator('.search-result')
  await results.nth(19).waitFor()
  t.equal(await results.count(), 20, 'a page of 20')
  await alice.page.locator('.search-view button', { hasText: 'More results' }).click()
  await results.nth(24).waitFor()
  t.equal(await results.count(), 25)
  await alice.page.locator('.search-view button:text("More results")').waitFor({ state: 'hidden' })
  t.same((await results.locator('.search-body').allTextContents()).slice(-2), ['birthday idea 2', 'birthday idea 1'])
  t.same(await alice.problems(), [])
})
