import t, { type Test } from 'tap'
import { bearer, login } from '../helper.js'
import { inFamilyRoom, launchBrowser, noBrowser, say, listeningFamily, shownBodies } from '../fixtures/browser.js'
import { startTcpProxy } from '../fixtures/tcp-proxy.js'

t.test('the network cut and restored: queued sends arrive once, missed messages are synced, nothing twice', { skip: noBrowser }, async (t) => {
  const { app, origin, port } = await listeningFamily(t)
  // Alice reaches the server through a proxy the test can cut; bob directly.
  const proxy = await startTcpProxy(t, port)
  const aliceOrigin = `http://127.0.0.1:${proxy.port}`
  const browser = await launchBrowser(t)
  const alice = await inFamilyRoom(browser, aliceOrigin, 'alice', { phone: true })
  const bob = await inFamilyRoom(browser, origin, 'bob')
  await say(bob.page, 'before the cut')
  await alice.page.locator('.message .body', { hasText: 'before the cut' }).waitFor()

  proxy.cut()
  await alice.page.context().setOffline(true)
  await alice.page.locator('.status-banner', { hasText: 'Offline' }).waitFor()

  // Both sides write while alice is cut off.
  await say(alice.page, 'sent from the tunnel 1')
  await say(alice.page, 'sent from the tunnel 2')
  await alice.page.locator('.message.pending').nth(1).waitFor()
  t.equal(await alice.page.locator('.message.pending .ticks.pending').count(), 2, 'queued sends show as sending')
  await say(bob.page, 'while you were away 1')
  await say(bob.page, 'while you were away 2')
  await bob.page.locator('.message.mine:not(.pending)', { hasText: 'while you were away 2' }).waitFor()

  proxy.restore()
  await alice.page.context().setOffline(false)
  await alice.page.locator('.status-banner').waitFor({ state: 'hidden' })
  await alice.page.locator('.message.mine:not(.pending)', { hasText: 'sent from the tunnel 2' }).waitFor()
  await alice.page.locator('.message .body', { hasText: 'while you were away 2' }).waitFor()
  await bob.page.locator('.message .body', { hasText: 'sent from the tunnel 2' }).waitFor()

  const expected = ['before the cut', 'while you were away 1', 'while you were away 2', 'sent from the tunnel 1', 'sent from the tunnel 2']
  t.same(await shownBodies(alice.page), expected, 'alice sees everything once, in history order')
  t.same(await shownBodies(bob.page), expected, 'bob too')
  t.equal(await alice.page.locator('.message.pending').count(), 0, 'nothing left to send')
  const stored = await app.inject({ method: 'GET', url: '/api/messages', headers: bearer(await login(app, 'bob')) })
  t.same((stored.json() as { messages: Array<{ body: string }> }).messages.map((m) => m.body), expected, 'stored once each')

  // A reload after all this shows the same, once.
  await alice.page.reload()
  await alice.page.locator('.message .body', { hasText: 'sent from the tunnel 2' }).waitFor()
  t.same(await shownBodies(alice.page), expected)
  t.same(await alice.problems(), [])
  t.same(await bob.problems(), [])
})

/** Alice in Family through a proxy, which is then cut: her page shows it is offline. */
async function aliceCutOff (t: Test, env: Record<string, string> = {}) {
  const { app, port } = await listeningFamily(t, env)
  const proxy = await startTcpProxy(t, port)
  const browser = await launchBrowser(t)
  const alice = await inFamilyRoom(browser, `http://127.0.0.1:${proxy.port}`, 'alice')
  proxy.cut()
  await alice.page.locator('.status-banner', { hasText: 'Offline' }).waitFor()
  return { app, proxy, alice }
}

t.test('a send that is never acked survives a reload and is sent once', { skip: noBrowser }, async (t) => {
  const { app, proxy, alice } = await aliceCutOff(t)
  await say(alice.page, 'written offline, then the tab reloaded')
  await alice.page.locator('.message.pending').waitFor()
  proxy.restore()
  await alice.page.reload()
  await alice.page.locator('.message.mine:not(.pending)', { hasText: 'written offline' }).waitFor()
  await alice.page.reload()
  await alice.page.locator('.message.mine:not(.pending)', { hasText: 'written offline' }).waitFor()
  t.same(await shownBodies(alice.page), ['written offline, then the tab reloaded'])
  const stored = await app.inject({ method: 'GET', url: '/api/messages', headers: bearer(await login(app, 'alice')) })
  t.equal((stored.json() as { messages: unknown[] }).messages.length, 1, 'stored once')
  t.same(await alice.problems(), [])
})

t.test('a long outbox is sent after reconnecting, paced under the flood limit, each message once', { skip: noBrowser }, async (t) => {
  // The production limit (tests otherwise raise it): 20 request frames a second per socket.
  const { app, proxy, alice } = await aliceCutOff(t, { RATE_LIMIT_WS: '20/s' })
  const bodies = Array.from({ length: 45 }, (_, i) => `queued ${i + 1}`)
  for (const body of bodies) await say(alice.page, body)
  await alice.page.locator('.message.pending').nth(44).waitFor()
  const limited: string[] = []
  alice.page.on('websocket', (socket) => socket.on('framereceived', (frame) => {
    if (String(frame.payload).includes('"rate_limited"')) limited.push(String(frame.payload))
  }))
  proxy.restore()
  await alice.page.context().setOffline(true)
  await alice.page.context().setOffline(false)
  await alice.page.locator('.message.mine:not(.pending)', { hasText: 'queued 45' }).waitFor()
  await alice.page.locator('.message.pending').first().waitFor({ state: 'detached' })
  t.same(await shownBodies(alice.page), bodies, 'all of them, in order, once')
  const stored = await app.inject({ method: 'GET', url: '/api/messages?limit=100', headers: bearer(await login(app, 'alice')) })
  t.same((stored.json() as { messages: Array<{ body: string }> }).messages.map((m) => m.body), bodies, 'stored once each, in order')
  t.same(limited, [], 'never over the flood limit')
  t.same(await alice.problems(), [])
})

/** Bob on the server directly, alice through a proxy the test can silence, each seeing the other online. */
async function bothOnline (t: Test) {
  const { origin, port } = await listeningFamily(t)
  const proxy = await startTcpProxy(t, port)
  const browser = await launchBrowser(t)
  const bob = await inFamilyRoom(browser, origin, 'bob')
  const alice = await inFamilyRoom(browser, `http://127.0.0.1:${proxy.port}`, 'alice')
  await alice.page.locator('.online-dot').first().waitFor()
  return { proxy, alice, bob }
}

t.test('a network that goes silent, with no close ever coming: offline after one unanswered ping, and nobody shown online', { skip: noBrowser }, async (t) => {
  const { proxy, alice } = await bothOnline(t)
  proxy.freeze()
  // At most one ping period and its deadline (15 s), bounded with room to spare.
  await alice.page.locator('.status-banner', { hasText: 'Offline' }).waitFor({ timeout: 25_000 })
  t.equal(await alice.page.locator('.online-dot').count(), 0, 'bob is not claimed online while alice cannot hear')
  proxy.restore()
  // The attempt that hangs in the silence is given up and retried.
  await alice.page.locator('.status-banner').waitFor({ state: 'hidden', timeout: 40_000 })
  await alice.page.locator('.online-dot').first().waitFor()
  t.same(await alice.problems(), [])
})

t.test('the browser saying the network is gone is believed at once, before any ping', { skip: noBrowser }, async (t) => {
  const { proxy, alice } = await bothOnline(t)
  proxy.freeze()
  await alice.page.context().setOffline(true)
  // Well under the ping period (10 s): only the browser's `offline` event can have said it.
  await alice.page.locator('.status-banner', { hasText: 'Offline' }).waitFor({ timeout: 5_000 })
  t.equal(await alice.page.locator('.online-dot').count(), 0)
  proxy.restore()
  await alice.page.context().setOffline(false)
  await alice.page.locator('.status-banner').waitFor({ state: 'hidden', timeout: 40_000 })
  t.same(await alice.problems(), [])
})
