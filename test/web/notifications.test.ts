import t from 'tap'
import type { Page } from 'playwright-core'
import { eventually } from '../fixtures/eventually.js'
import { familyApi, launchBrowser, listeningFamily, noBrowser, openPage, openRoom, say, shownBodies, signIn } from '../fixtures/browser.js'
import { startTcpProxy } from '../fixtures/tcp-proxy.js'
import { bearer } from '../helper.js'

const PUSH_ENV = { PUSH_CONTACT: 'mailto:grandpa@family.example', PUSH_ENDPOINT_HOSTS: '127.0.0.1' }

interface ShownNotification { title: string, body: string, tag: string }

const shownNotifications = (page: Page): Promise<ShownNotification[]> => page.evaluate(async () => {
  const registration = await navigator.serviceWorker.ready
  return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }))
})

const controlled = (page: Page) => eventually('the service worker controls the page', async () =>
  await page.evaluate(() => navigator.serviceWorker.controller !== null) ? true : undefined)

/** Delivers a push to the page's service worker as a push service would, until `shown` holds. */
type Deliver = <T>(push: object, what: string, shown: (list: ShownNotification[]) => T | undefined) => Promise<T>

/** Pushes are re-delivered this often until shown: a DevTools delivery is now and then lost. */
const REDELIVER_MS = 2000

/**
 * Signs in with notifications allowed and DevTools watching the service worker; answers how to
 * deliver a push to it (ServiceWorker.deliverPushMessage). In CI under load a delivery was lost,
 * once in each of two tests, with no error anywhere (not reproduced in eight runs at once beside two
 * busy cores), so a push is delivered again every 2 s until the worker shows what it should. Pushes
 * carry their room as the tag, so a repeat replaces rather than adds: a worker that never shows a
 * push, or shows the wrong one, still fails.
 */
async function signedInWithDevTools (page: Page, origin: string, username: string): Promise<Deliver> {
  await page.context().grantPermissions(['notifications'], { origin })
  const cdp = await page.context().newCDPSession(page)
  const registrations: Array<{ registrationId: string, scopeURL: string }> = []
  cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations))
  await cdp.send('ServiceWorker.enable')
  await signIn(page, origin, username)
  await controlled(page)
  const registration = await eventually('the registration at scope /', async () => registrations.find((r) => r.scopeURL === `${origin}/`))
  return async (push, what, shown) => {
    let deliveredAt = 0
    return await eventually(what, async () => {
      const value = shown(await shownNotifications(page))
      if (value !== undefined) return value
      if (Date.now() - deliveredAt > REDELIVER_MS) {
        deliveredAt = Date.now()
        await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: registration.registrationId, data: JSON.stringify(push) })
      }
      return undefined
    }, { timeoutMs: 30_000 })
  }
}

t.test('the service worker shows a push delivered through DevTools, and a tap opens its room', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t, PUSH_ENV)
  const bob = await familyApi(app, 'bob')
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  const deliver = await signedInWithDevTools(alice.page, origin, 'alice')

  const push = { v: 1, roomId: bob.familyId, messageId: 'm', seq: 1, title: 'Bob in Family', body: 'Dinner at 7', unread: 1 }
  const shown = await deliver(push, 'the notification', (list) => list.length > 0 ? list : undefined)
  t.same(shown, [{ title: 'Bob in Family', body: 'Dinner at 7', tag: bob.familyId }], 'one notification per room, tagged with it')
  await deliver({ ...push, seq: 2, body: 'Bring bread' }, 'the newer push replaces the older', (list) => list.some((n) => n.body === 'Bring bread') ? list : undefined)
  t.same((await shownNotifications(alice.page)).map((n) => n.body), ['Bring bread'], 'one notification for the room, the newest')

  // A tap: the worker's own notificationclick handler, with the notification it showed.
  t.equal(new URL(alice.page.url()).hash, '', 'on the conversation list')
  const [worker] = alice.page.context().serviceWorkers()
  await worker!.evaluate(async () => {
    // This runs in the worker, where these exist; the test's own types are the page's.
    const sw = self as unknown as { registration: ServiceWorkerRegistration, NotificationEvent: new (type: string, init: { notification: Notification }) => Event }
    const [notification] = await sw.registration.getNotifications()
    self.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: notification! }))
  })
  await alice.page.locator(`.room[data-room-id="${bob.familyId}"] .composer`).waitFor()
  t.same(await shownNotifications(alice.page), [], 'tapped, it is gone')
  t.same(await alice.problems(), [], 'no CSP violation, no error')
})

t.test('reading a room clears its notifications on the device', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t, PUSH_ENV)
  const bob = await familyApi(app, 'bob')
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  const deliver = await signedInWithDevTools(alice.page, origin, 'alice')
  const sent = await bob.send('Look at this')
  const push = { v: 1, roomId: bob.familyId, messageId: sent.id, seq: sent.seq, title: 'Bob in Family', body: 'Look at this', unread: 1 }
  await deliver(push, 'the notification', (list) => list.length === 1 ? true : undefined)
  // Opened from the list, not from the notification: the page reads the room and tells the worker.
  await openRoom(alice.page, 'Family')
  await eventually('the room\'s notifications are gone', async () => (await shownNotifications(alice.page)).length === 0 ? true : undefined)
  t.same(await alice.problems(), [])
})

t.test('turning notifications on is offered from a tap, per device, with a preview choice; a room can be muted', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t, PUSH_ENV)
  const bob = await familyApi(app, 'bob')
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  await signIn(alice.page, origin, 'alice')
  await alice.page.locator('.notifications-prompt button', { hasText: 'Turn on notifications' }).waitFor()
  await alice.page.click('a.me')
  await alice.page.locator('.notifications-card', { hasText: 'Notifications are off for this device' }).waitFor()
  await alice.page.selectOption('.notifications-card select[name=preview]', 'sender')
  t.equal(await alice.page.evaluate(() => localStorage.getItem('family-chat.push-preview')), 'sender', 'the preview is this device\'s choice')

  await alice.page.goto(`${origin}/#/`)
  await openRoom(alice.page, 'Family')
  // Alice's room as the server keeps it, read with a token of her own (one login, not one per poll).
  const aliceToken = (await familyApi(app, 'alice')).token
  const storedFamily = async () => ((await app.inject({ url: '/api/rooms', headers: bearer(aliceToken) })).json().rooms as Array<{ id: string, notify: string, mutedUntil: string | null }>)
    .find((r) => r.id === bob.familyId)!
  await alice.page.selectOption('.room-header .mute-select', '8h')
  const muted = await eventually('muted on the server', async () => {
    const family = await storedFamily()
    return family.mutedUntil !== null ? family : undefined
  })
  const hours = (Date.parse(muted.mutedUntil!) - Date.now()) / 3600_000
  t.ok(hours > 7.9 && hours <= 8, 'for 8 hours')
  await alice.page.locator('.room-link .muted').waitFor()
  await alice.page.selectOption('.room-header .mute-select', 'always')
  await eventually('always', async () => (await storedFamily()).notify === 'none' ? true : undefined)
  t.same(await alice.problems(), [])
})

t.test('the installed app opens without a network: its conversations, recent messages and queued sends', { skip: noBrowser }, async (t) => {
  const { app, port } = await listeningFamily(t)
  const proxy = await startTcpProxy(t, port)
  const origin = `http://127.0.0.1:${proxy.port}`
  const bob = await familyApi(app, 'bob')
  await bob.send('Grandma lands at 6')
  await bob.send('Gate B12')
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin, { phone: true })
  await signIn(alice.page, origin, 'alice')
  await controlled(alice.page)
  await openRoom(alice.page, 'Family')
  await alice.page.locator('.message .body', { hasText: 'Gate B12' }).waitFor()
  await eventually('what alice has is kept on the device', async () => await alice.page.evaluate(() => new Promise<boolean>((resolve) => {
    const request = indexedDB.open('family-chat')
    request.onsuccess = () => {
      const db = request.result
      if (!db.objectStoreNames.contains('snapshots')) return resolve(false)
      const all = db.transaction('snapshots').objectStore('snapshots').getAll()
      all.onsuccess = () => resolve((all.result as Array<{ messages: unknown[] }>).some((s) => s.messages.length >= 2))
    }
    request.onerror = () => resolve(false)
  }))
    ? true
    : undefined)

  proxy.cut()
  await alice.page.context().setOffline(true)
  await alice.page.reload()
  await alice.page.locator('.status-banner', { hasText: 'Offline' }).waitFor()
  await alice.page.locator('.message .body', { hasText: 'Gate B12' }).waitFor()
  t.same(await shownBodies(alice.page), ['Grandma lands at 6', 'Gate B12'], 'the recent messages, from the device')
  await say(alice.page, 'On my way')
  await alice.page.locator('.message.pending', { hasText: 'On my way' }).waitFor()
  await alice.page.reload()
  await alice.page.locator('.message.pending', { hasText: 'On my way' }).waitFor()
  t.pass('a queued send survives opening the app again offline')

  proxy.restore()
  await alice.page.context().setOffline(false)
  await alice.page.locator('.message.mine:not(.pending)', { hasText: 'On my way' }).waitFor()
  const stored = (await app.inject({ url: '/api/messages', headers: bearer(bob.token) })).json().messages as Array<{ body: string }>
  t.same(stored.map((m) => m.body), ['Grandma lands at 6', 'Gate B12', 'On my way'], 'the outbox drained, once')
  t.same(await alice.problems(), [])
})

t.test('while the page is open but hidden, its title counts what is unread', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const bob = await familyApi(app, 'bob')
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin)
  await signIn(alice.page, origin, 'alice')
  t.equal(await alice.page.title(), 'Family Chat')
  // The tab goes to the background, as switching apps on a phone does.
  await alice.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  })
  const token = await alice.page.evaluate(() => (JSON.parse(localStorage.getItem('family-chat.session')!) as { token: string }).token)
  const sessionId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid
  await eventually('the server knows the app is in the background (it would push)', async () =>
    (await app.realtime.inForeground([sessionId])).size === 0 ? true : undefined)
  await bob.send('Are you up?')
  await bob.send('Call me')
  await eventually('the title counts 2', async () => await alice.page.title() === '(2) Family Chat' ? true : undefined)
  await alice.page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
  })
  await eventually('back to the plain title', async () => await alice.page.title() === 'Family Chat' ? true : undefined)
  await eventually('in the foreground again: no pushes', async () =>
    (await app.realtime.inForeground([sessionId])).has(sessionId) ? true : undefined)
  t.same(await alice.problems(), [])
})
