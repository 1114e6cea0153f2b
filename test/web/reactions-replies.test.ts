import t from 'tap'
import { bearer } from '../helper.js'
import { DEVICES, familyApi, inFamilyRoom, launchBrowser, listeningFamily, noBrowser, openMessageMenu, say, shownBodies } from '../fixtures/browser.js'

interface StoredMessage { id: string, body: string, reactions: Record<string, string[]>, replyTo: { id: string } | null }

for (const device of DEVICES) {
  t.test(`${device.name}: a reaction from the message menu reaches the other at once; tapping it shows who, and it can be taken back`, { skip: noBrowser }, async (t) => {
    const { app, origin } = await listeningFamily(t)
    const browser = await launchBrowser(t)
    const alice = await inFamilyRoom(browser, origin, 'alice', { phone: device.phone })
    const bob = await inFamilyRoom(browser, origin, 'bob', { phone: !device.phone })
    const bobApi = await familyApi(app, 'bob')
    const stored = async (): Promise<StoredMessage> =>
      ((await app.inject({ url: `/api/messages?roomId=${bobApi.familyId}`, headers: bearer(bobApi.token) })).json() as { messages: StoredMessage[] }).messages[0]!
    await say(bob.page, 'We won the quiz!')
    await alice.page.locator('.message .body', { hasText: 'We won the quiz!' }).waitFor()

    await openMessageMenu(alice.page, 'We won the quiz!', device.phone)
    t.same(await alice.page.locator('.message-menu .menu-item').allTextContents(), ['Reply', 'Copy text', 'Cancel'], 'another\'s message: no edit or delete')
    await alice.page.click('.message-menu button[aria-label="React 👍"]')
    await alice.page.locator('.message-menu').waitFor({ state: 'detached' })
    const bobsChip = bob.page.locator('.message', { hasText: 'We won the quiz!' }).locator('.reaction')
    await bobsChip.filter({ hasText: '👍' }).waitFor()
    t.equal(await bobsChip.textContent(), '👍1')
    t.equal(await alice.page.locator('.reaction.mine').count(), 1, 'my own reaction is marked as mine')

    // Another emoji from the full picker replaces mine: one reaction per member.
    await openMessageMenu(alice.page, 'We won the quiz!', device.phone)
    t.equal(await alice.page.getAttribute('.message-menu button[aria-label="React 👍"]', 'aria-pressed'), 'true')
    await alice.page.click('.message-menu .more-emoji')
    await alice.page.click('.message-menu .emoji-grid button[aria-label="React 🎉"]')
    await bobsChip.filter({ hasText: '🎉' }).waitFor()
    t.equal(await bobsChip.count(), 1, 'the 👍 went when the 🎉 came')
    t.same((await stored()).reactions, { '🎉': [(await app.inject({ url: '/api/auth/me', headers: bearer((await familyApi(app, 'alice')).token) })).json().user.id] })

    await bob.page.locator('.message', { hasText: 'We won the quiz!' }).locator('.bubble').click()
    await bob.page.click('.message-menu .more-emoji')
    await bob.page.click('.message-menu .emoji-grid button[aria-label="React 🎉"]')
    await alice.page.locator('.reaction', { hasText: '🎉2' }).waitFor()
    await alice.page.locator('.reaction', { hasText: '🎉' }).click()
    const details = alice.page.locator('.reaction-details')
    await details.waitFor()
    t.equal(await details.locator('.reaction-list li').textContent(), '🎉You, Bob', 'who reacted, me first as I reacted first')
    await details.locator('.action-unreact').click()
    await bob.page.locator('.reaction', { hasText: '🎉1' }).waitFor()
    t.equal(Object.keys((await stored()).reactions).join(), '🎉', 'only Bob\'s is left')
    t.same(await alice.problems(), [])
    t.same(await bob.problems(), [])
  })

  t.test(`${device.name}: a reply shows its original above it; a tap on the quote brings the original into view, loading older pages`, { skip: noBrowser }, async (t) => {
    const { app, origin } = await listeningFamily(t)
    const browser = await launchBrowser(t)
    const bobApi = await familyApi(app, 'bob')
    const original = await bobApi.send('Who has the key to the shed?')
    // More than a page (50) after it, so the original is not on the page a room opens with.
    for (let i = 1; i <= 60; i++) await bobApi.send(`filler ${i}`)
    const alice = await inFamilyRoom(browser, origin, 'alice', { phone: device.phone })
    await alice.page.locator('.message .body', { hasText: 'filler 60' }).waitFor()

    await openMessageMenu(alice.page, 'filler 60', device.phone)
    await alice.page.click('.message-menu .action-reply')
    const banner = alice.page.locator('.reply-banner')
    t.equal(await banner.locator('.quote-text').textContent(), 'filler 60')
    // Cancel is a styled button, and cancelling sends a plain message.
    t.not(await banner.locator('button').evaluate((b) => getComputedStyle(b).borderRadius), '0px')
    await banner.locator('button', { hasText: 'Cancel' }).click()
    await banner.waitFor({ state: 'hidden' })

    await bobApi.send('It is under the pot', { replyToId: original.id })
    const reply = alice.page.locator('.message', { has: alice.page.locator('.body', { hasText: 'It is under the pot' }) })
    await reply.locator('.quote', { hasText: 'Who has the key to the shed?' }).waitFor()
    t.equal(await alice.page.locator('.message-list .message[data-id="' + original.id + '"]').count(), 0, 'the original is not loaded yet')
    await reply.locator('.quote').click()
    const shown = alice.page.locator(`.message-list .message[data-id="${original.id}"]`)
    await shown.and(alice.page.locator('.flash')).waitFor()
    t.ok(await shown.evaluate((el) => {
      const box = el.getBoundingClientRect()
      const pane = el.closest('.messages')!.getBoundingClientRect()
      return box.top >= pane.top && box.bottom <= pane.bottom
    }), 'the original is scrolled into view')

    // Replying from the menu: the quote shows in the banner and above the sent message.
    await openMessageMenu(alice.page, 'Who has the key', device.phone)
    await alice.page.click('.message-menu .action-reply')
    t.equal(await banner.locator('.quote-sender').textContent(), 'Bob')
    await say(alice.page, 'Found it, thanks')
    const mine = alice.page.locator('.message.mine:not(.pending)', { hasText: 'Found it, thanks' })
    await mine.locator('.quote', { hasText: 'Who has the key to the shed?' }).waitFor()
    t.equal(await banner.isHidden(), true, 'the banner goes once sent')
    const page = (await app.inject({ url: `/api/messages?roomId=${bobApi.familyId}&limit=3`, headers: bearer(bobApi.token) })).json() as { messages: StoredMessage[] }
    t.same(page.messages.map((m) => [m.body, m.replyTo?.id ?? null]), [['filler 60', null], ['It is under the pot', original.id], ['Found it, thanks', original.id]])

    // The original is edited: the quote follows it.
    await app.inject({ method: 'PATCH', url: `/api/messages/${original.id}`, headers: bearer(bobApi.token), payload: { body: 'Who has the key to the garage?' } })
    await mine.locator('.quote', { hasText: 'garage' }).waitFor()
    t.same(await alice.problems(), [])
  })

  t.test(`${device.name}: copy puts a message's text on the clipboard; edit and delete are in my own messages' menu`, { skip: noBrowser }, async (t) => {
    const { origin } = await listeningFamily(t)
    const browser = await launchBrowser(t)
    const alice = await inFamilyRoom(browser, origin, 'alice', { phone: device.phone })
    await alice.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
    await say(alice.page, 'The wifi password is gooseberry-42')
    await alice.page.locator('.message.mine:not(.pending)').waitFor()
    await openMessageMenu(alice.page, 'wifi password', device.phone)
    t.same(await alice.page.locator('.message-menu .menu-item').allTextContents(), ['Reply', 'Copy text', 'Edit', 'Delete', 'Cancel'])
    await alice.page.click('.message-menu .action-copy')
    await alice.page.locator('.message-menu').waitFor({ state: 'detached' })
    t.equal(await alice.page.evaluate(() => navigator.clipboard.readText()), 'The wifi password is gooseberry-42')

    await openMessageMenu(alice.page, 'wifi password', device.phone)
    await alice.page.keyboard.press('Escape')
    await alice.page.locator('.message-menu').waitFor({ state: 'detached' })
    t.same(await shownBodies(alice.page), ['The wifi password is gooseberry-42'], 'Escape closes the menu and changes nothing')
    t.same(await alice.problems(), [])
  })
}

t.test('phone: a swipe to the right on a bubble starts a reply to it', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  await (await familyApi(app, 'bob')).send('Swipe me')
  const alice = await inFamilyRoom(browser, origin, 'alice', { phone: true })
  const bubble = alice.page.locator('.message .bubble', { hasText: 'Swipe me' })
  await bubble.waitFor()
  const box = (await bubble.boundingBox())!
  // Real touch input through DevTools: the browser turns it into touch pointer events.
  const cdp = await alice.page.context().newCDPSession(alice.page)
  const y = box.y + box.height / 2
  const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number): Promise<void> => {
    await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] })
  }
  await touch('touchStart', box.x + 20)
  for (let dx = 10; dx <= 90; dx += 10) await touch('touchMove', box.x + 20 + dx)
  await touch('touchEnd', box.x + 110)
  await alice.page.locator('.reply-banner .quote-text', { hasText: 'Swipe me' }).waitFor()
  t.equal(await alice.page.locator('.message-menu').count(), 0, 'a swipe is not a tap: no menu')
  t.same(await alice.problems(), [])
})
