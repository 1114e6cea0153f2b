import t from 'tap'
import { bearer, login } from '../helper.js'
import { familyApi, launchBrowser, noBrowser, openPage, openRoom, say, listeningFamily, shownBodies, signIn } from '../fixtures/browser.js'

const XSS = '<img src=x onerror=alert(1)>'

t.test('two family members chat: text, emoji, typing, read ticks, edits and deletions', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  const bob = await openPage(browser, origin, { phone: true })
  await signIn(alice.page, origin, 'alice')
  await signIn(bob.page, origin, 'bob')
  await openRoom(alice.page, 'Family')

  await say(alice.page, 'Dinner at 7? 👨‍👩‍👧‍👦🍕')
  // Sent ✓ once the server acked it; bob has not opened the room, so not read yet.
  const aliceFirst = alice.page.locator('.message.mine:not(.pending)').first()
  await aliceFirst.locator('.ticks:not(.read)').waitFor()
  await bob.page.locator('.room-link .badge', { hasText: '1' }).waitFor()

  await openRoom(bob.page, 'Family')
  await bob.page.locator('.message .body', { hasText: 'Dinner at 7? 👨‍👩‍👧‍👦🍕' }).waitFor()
  await aliceFirst.locator('.ticks.read').waitFor()
  t.equal(await aliceFirst.locator('.ticks').textContent(), '✓✓', 'read by the others: ✓✓')

  await bob.page.fill('.composer textarea', 'Yes')
  await alice.page.locator('.typing', { hasText: 'Bob is typing…' }).waitFor()
  // Shift+Enter is a new line, Enter sends.
  await bob.page.press('.composer textarea', 'Shift+Enter')
  await bob.page.keyboard.type('see you https://example.org/menu.')
  await bob.page.press('.composer textarea', 'Enter')
  const reply = alice.page.locator('.message:not(.mine) .body', { hasText: 'see you' })
  await reply.waitFor()
  t.equal(await reply.textContent(), 'Yes\nsee you https://example.org/menu.')
  t.equal(await reply.locator('a').getAttribute('href'), 'https://example.org/menu', 'links are clickable, without the full stop')
  t.equal(await reply.locator('a').getAttribute('rel'), 'noopener noreferrer')
  t.equal(await alice.page.locator('.typing').textContent(), '', 'the typing line clears when the message arrives')

  await say(bob.page, XSS)
  const xss = alice.page.locator('.message .body', { hasText: 'onerror' })
  await xss.waitFor()
  t.equal(await xss.textContent(), XSS, 'markup in a message is shown as text')
  t.equal(await alice.page.locator('.message-list img').count(), 0, 'no element was created from it')

  // Edit: tap my message, Edit in its menu, change the text, Enter.
  await aliceFirst.locator('.bubble').click()
  await alice.page.locator('.message-menu .action-edit').click()
  t.equal(await alice.page.inputValue('.composer textarea'), 'Dinner at 7? 👨‍👩‍👧‍👦🍕')
  await alice.page.fill('.composer textarea', 'Dinner at 8? 🍕')
  await alice.page.press('.composer textarea', 'Enter')
  const edited = bob.page.locator('.message', { hasText: 'Dinner at 8?' })
  await edited.locator('.edited').waitFor()

  // Delete takes two taps.
  await aliceFirst.locator('.bubble').click()
  const remove = alice.page.locator('.message-menu .action-delete')
  await remove.click()
  t.equal(await remove.textContent(), 'Delete for everyone?')
  await remove.click()
  await bob.page.locator('.message .body.deleted', { hasText: 'This message was deleted' }).waitFor()
  t.same(await shownBodies(bob.page), ['This message was deleted', 'Yes\nsee you https://example.org/menu.', XSS])

  const stored = await app.inject({ method: 'GET', url: '/api/messages', headers: bearer(await login(app, 'alice')) })
  t.same((stored.json() as { messages: Array<{ body: string }> }).messages.map((m) => m.body), ['', 'Yes\nsee you https://example.org/menu.', XSS])
  t.same(await alice.problems(), [], 'no CSP violation, page error, dialog or foreign request')
  t.same(await bob.problems(), [])
})

t.test('a direct chat is started from the family list; its unread badge clears when opened', { skip: noBrowser }, async (t) => {
  const { origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  const bob = await openPage(browser, origin)
  await signIn(alice.page, origin, 'alice')
  await signIn(bob.page, origin, 'bob')
  await openRoom(alice.page, 'Family')

  // Presence: alice sees bob online.
  await bob.page.locator('.person', { hasText: 'Alice' }).locator('.online-dot').waitFor()
  await bob.page.locator('.person', { hasText: 'Alice' }).click()
  await bob.page.locator('.room-title', { hasText: 'Alice' }).waitFor()
  await say(bob.page, 'psst, a surprise for mum?')
  const direct = alice.page.locator('.room-link', { hasText: 'Bob' })
  await direct.locator('.badge', { hasText: '1' }).waitFor()
  await direct.click()
  await alice.page.locator('.message .body', { hasText: 'psst' }).waitFor()
  await direct.locator('.badge').waitFor({ state: 'detached' })
  t.equal(await alice.page.locator('.room-subtitle').textContent(), 'online', 'the other member is online')
  t.same(await alice.problems(), [])
  t.same(await bob.problems(), [])
})

t.test('a room an admin adds me to appears in the conversation list live, and its messages arrive', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const bob = await openPage(browser, origin)
  await signIn(bob.page, origin, 'bob')
  await bob.page.locator('.room-link', { hasText: 'Family' }).waitFor()

  // What bin/create-room does through a running server's admin socket.
  const { adminCommands } = await import('../../src/admin/commands.js')
  await adminCommands['create-room']({
    db: app.database.db,
    onRevoked: () => {},
    onJoined: (roomId, userIds) => app.chat.joined(roomId, userIds)
  }, { name: 'Cousins', members: ['alice', 'bob'] })
  const link = bob.page.locator('.room-link', { hasText: 'Cousins' })
  await link.waitFor()

  const token = await login(app, 'alice')
  const room = (await app.inject({ url: '/api/rooms', headers: bearer(token) })).json().rooms.find((r: { name: string }) => r.name === 'Cousins')
  await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload: { roomId: room.id, body: 'welcome, cousin' } })
  await link.locator('.badge', { hasText: '1' }).waitFor()
  await link.click()
  await bob.page.locator('.message .body', { hasText: 'welcome, cousin' }).waitFor()
  t.same(await shownBodies(bob.page), ['welcome, cousin'])
})

t.test('the conversation list shows each room\'s last message and time, newest first, and reorders live', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const bob = await familyApi(app, 'bob')
  const aliceId = (await app.inject({ url: '/api/auth/me', headers: bearer(await login(app, 'alice')) })).json().user.id as string
  const direct = (await app.inject({ method: 'POST', url: '/api/rooms/direct', headers: bearer(bob.token), payload: { userId: aliceId } })).json().room.id as string
  await bob.send('Family news first')
  await bob.send('then a private word', { roomId: direct })
  const alice = await openPage(browser, origin, { phone: true })
  await signIn(alice.page, origin, 'alice')
  const names = (): Promise<string[]> => alice.page.locator('.rooms .room-name').allTextContents()
  await alice.page.locator('.room-preview', { hasText: 'then a private word' }).waitFor()
  t.same(await names(), ['Bob', 'Family'], 'the latest activity first')
  t.equal(await alice.page.locator('.room-link', { hasText: 'Family' }).locator('.room-preview').textContent(), 'Bob: Family news first', 'a group says who wrote')
  t.match(await alice.page.locator('.room-link', { hasText: 'Family' }).locator('.room-when').textContent(), /\d:\d\d/, 'today: the time')

  await bob.send('a photo is coming')
  await alice.page.locator('.room-preview', { hasText: 'Bob: a photo is coming' }).waitFor()
  t.same(await names(), ['Family', 'Bob'], 'a new message moves its room to the top')
  await openRoom(alice.page, 'Family')
  await say(alice.page, 'great')
  await alice.page.click('.back')
  await alice.page.locator('.room-preview', { hasText: 'You: great' }).waitFor()
  t.same(await alice.problems(), [])
})
