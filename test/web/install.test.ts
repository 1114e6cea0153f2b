import t from 'tap'
import { chromium } from 'playwright-core'
import { tempDir } from '../helper.js'
import { LAUNCH_OPTIONS, noBrowser, listeningFamily } from '../fixtures/browser.js'

t.test('Chromium finds the page installable as an app', { skip: noBrowser }, async (t) => {
  const { origin } = await listeningFamily(t)
  // A persistent profile: Chromium never offers to install from an incognito context.
  const context = await chromium.launchPersistentContext(tempDir(t), LAUNCH_OPTIONS)
  t.teardown(() => context.close())
  const page = context.pages()[0] ?? await context.newPage()
  await page.goto(origin)
  await page.locator('.login-form').waitFor()
  const cdp = await context.newCDPSession(page)
  const manifest = await cdp.send('Page.getAppManifest')
  t.equal(manifest.url, `${origin}/app/manifest.webmanifest`)
  t.same(manifest.errors, [], 'the manifest parses cleanly')
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
  t.same(installabilityErrors, [], 'no installability error')
})
