import t from 'tap'
import type { Page } from 'playwright-core'
import { bearer } from '../helper.js'
import { familyApi, launchBrowser, listeningFamily, noBrowser, openPage, openRoom, PHONE, say, signIn } from '../fixtures/browser.js'

/**
 * WCAG contrast of each element's text against what is really behind it (translucent layers
 * blended down to the first opaque one), as the page computes it.
 */
// Plain JavaScript, sent as text: the test loader's helpers (esbuild's __name) do not exist in the page.
const CONTRAST_IN_PAGE = `(selectors) => {
  const parse = (css) => {
    const parts = /rgba?\\(([^)]+)\\)/.exec(css)[1].split(/[\\s,/]+/).filter(Boolean).map(Number)
    return [parts[0], parts[1], parts[2], parts[3] ?? 1]
  }
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1)
  const background = (el) => {
    const layers = []
    for (let at = el; at !== null; at = at.parentElement) {
      const colour = parse(getComputedStyle(at).backgroundColor)
      if (colour[3] > 0) layers.push(colour)
      if (colour[3] >= 1) break
    }
    return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1])
  }
  const channel = (c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4 }
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
  const out = {}
  for (const selector of selectors) {
    const el = document.querySelector(selector)
    if (el === null) throw new Error('nothing matches ' + selector)
    const behind = background(el)
    const [a, b] = [luminance(over(parse(getComputedStyle(el).color), behind)), luminance(behind)].sort((x, y) => y - x)
    out[selector] = Math.round((a + 0.05) / (b + 0.05) * 100) / 100
  }
  return out
}`

/**
 * WCAG contrast of each element's text against what is really behind it (translucent layers
 * blended down to the first opaque one), as the page computes it.
 */
async function contrasts (page: Page, selectors: string[]): Promise<Record<string, number>> {
  return page.evaluate(`(${CONTRAST_IN_PAGE})(${JSON.stringify(selectors)})`)
}

const TEXT_ON_SURFACES = [
  '.message:not(.mine) .body', '.message.mine .body', '.message:not(.mine) .meta time', '.message.mine .meta time',
  '.message.mine .ticks.sent', '.message.mine .ticks.read', '.message .sender', '.message .body a', '.quote-text', '.quote-sender',
  '.reaction', '.day-separator span', '.room-preview', '.room-when', '.room-name', '.room-subtitle', '.older', '.composer textarea'
]

for (const scheme of ['light', 'dark'] as const) {
  t.test(`${scheme}: every text the room and the list show meets WCAG AA contrast, and sent and read ticks are told apart`, { skip: noBrowser }, async (t) => {
    const { app, origin } = await listeningFamily(t)
    const browser = await launchBrowser(t)
    const bob = await familyApi(app, 'bob')
    const first = await bob.send('Look: https://example.org/photos')
    const alice = await openPage(browser, origin, { colorScheme: scheme })
    await signIn(alice.page, origin, 'alice')
    await openRoom(alice.page, 'Family')
    await say(alice.page, 'read by Bob soon')
    await alice.page.locator('.message.mine .ticks.sent').waitFor()
    // Bob reads the room (alice's first message turns ✓✓), then alice sends one he has not read.
    const { seq } = await bob.send('Nice!', { replyToId: first.id })
    await app.inject({ method: 'POST', url: `/api/rooms/${bob.familyId}/read`, headers: bearer(bob.token), payload: { seq } })
    await alice.page.locator('.message.mine .ticks.read').waitFor()
    await say(alice.page, 'not read yet')
    await alice.page.locator('.message.mine:not(.pending)', { hasText: 'not read yet' }).locator('.ticks.sent').waitFor()
    await app.inject({ method: 'PUT', url: `/api/messages/${first.id}/reaction`, headers: bearer(bob.token), payload: { emoji: '👍' } })
    await alice.page.locator('.reaction').waitFor()

    const measured = await contrasts(alice.page, TEXT_ON_SURFACES)
    for (const [selector, ratio] of Object.entries(measured)) t.ok(ratio >= 4.5, `${selector}: ${ratio}:1 ≥ 4.5:1`)
    const sent = alice.page.locator('.message.mine .ticks.sent').first()
    const read = alice.page.locator('.message.mine .ticks.read').first()
    t.not(await sent.textContent(), await read.textContent(), 'sent ✓ and read ✓✓ differ in shape')
    t.not(await sent.evaluate((el) => getComputedStyle(el).color), await read.evaluate((el) => getComputedStyle(el).color), 'and in colour')
    t.equal(await alice.page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), 'light dark')
    t.same(await alice.problems(), [])
  })
}

t.test('every text field is at least 16 px (iOS zooms into smaller ones), on every screen', { skip: noBrowser }, async (t) => {
  const { origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin, { phone: true })
  const sizes = async (): Promise<number[]> => alice.page.$$eval('input:not([type=file]):not([type=range]):not([hidden]), textarea', (els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)))
  await alice.page.goto(origin)
  await alice.page.locator('.login-form').waitFor()
  const seen: number[] = await sizes()
  await signIn(alice.page, origin, 'alice')
  await openRoom(alice.page, 'Family')
  seen.push(...await sizes())
  await alice.page.click('.room .search-link')
  await alice.page.locator('.search-form input').waitFor()
  seen.push(...await sizes())
  await alice.page.goto(`${origin}/#/profile`)
  await alice.page.locator('.profile-password').waitFor()
  seen.push(...await sizes())
  t.ok(seen.length >= 8, `${seen.length} fields measured`)
  t.same(seen.filter((size) => size < 16), [], 'none smaller than 16 px')
})

/** An Etc/GMT zone whose local hour is now `hour` (their signs are inverted: Etc/GMT-3 is UTC+3). */
function zoneAtHour (hour: number): string {
  let offset = (hour - new Date().getUTCHours() + 24) % 24
  if (offset > 14) offset -= 24
  return offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`
}

t.test('a room says which day its messages are from, and times have no leading zero in a 12-hour locale', { skip: noBrowser }, async (t) => {
  const { app, origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const bob = await familyApi(app, 'bob')
  await bob.send('breakfast?')
  const timezoneId = zoneAtHour(7)
  const dayAt = async (daysLater: number): Promise<{ separators: string[], time: string }> => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US', timezoneId, isMobile: true, hasTouch: true })
    const page = await context.newPage()
    if (daysLater > 0) await page.clock.setFixedTime(Date.now() + daysLater * 86_400_000)
    await signIn(page, origin, 'alice')
    await openRoom(page, 'Family')
    await page.locator('.message .body', { hasText: 'breakfast?' }).waitFor()
    const result = { separators: await page.locator('.day-separator').allTextContents(), time: (await page.locator('.message time').first().textContent()) ?? '' }
    await context.close()
    return result
  }
  const today = await dayAt(0)
  t.same(today.separators, ['Today'])
  t.match(today.time, /^7:\d\d\s?AM$/, `"${today.time}": 7 o'clock, no leading zero`)
  t.same((await dayAt(1)).separators, ['Yesterday'])
  const weekday = new Date().toLocaleDateString('en-US', { weekday: 'long', timeZone: timezoneId })
  t.same((await dayAt(3)).separators, [weekday], 'within the week: the weekday')
  t.match((await dayAt(10)).separators[0], /^[A-Z][a-z]{2}, [A-Z][a-z]+ \d{1,2}$|^[A-Z][a-z]+ \d{1,2}, \d{4}$/, 'later: the date')
})

t.test('the emoji picker closes once an emoji is chosen', { skip: noBrowser }, async (t) => {
  const { origin } = await listeningFamily(t)
  const browser = await launchBrowser(t)
  const alice = await openPage(browser, origin, { phone: true })
  await signIn(alice.page, origin, 'alice')
  await openRoom(alice.page, 'Family')
  await alice.page.click('.composer button[aria-label=Emoji]')
  await alice.page.locator('.emoji-picker').waitFor()
  await alice.page.locator('.emoji-picker button', { hasText: '🎂' }).click()
  await alice.page.locator('.emoji-picker').waitFor({ state: 'hidden' })
  t.equal(await alice.page.inputValue('.composer textarea'), '🎂')
  t.equal(await alice.page.getAttribute('.composer button[aria-label=Emoji]', 'aria-expanded'), 'false')
})
