// Screenshots of the web app for the README: `npm run screenshots` writes docs/screenshots/*.png.
// It starts the app on a throwaway data directory, adds a small family, and lets Chromium chat.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import sharp from 'sharp'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { adminCommands } from '../src/admin/commands.js'
import { PROJECT_ROOT } from '../db/paths.js'

const PASSWORD = 'screenshot password'
const OUT = join(PROJECT_ROOT, 'docs', 'screenshots')
const dataDir = mkdtempSync(join(tmpdir(), 'family-chat-shots-'))

const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_LOGIN: '100/min' }))
try {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address !== 'object') throw new Error('not listening')
  const origin = `http://127.0.0.1:${address.port}`
  for (const [username, displayName] of [['mum', 'Mum'], ['dad', 'Dad'], ['lea', 'Léa'], ['grandpa', 'Grandpa']]) {
    await adminCommands['add-user']({ db: app.database.db, onRevoked: () => {} }, { username, password: PASSWORD, displayName })
  }

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  const open = async (username: string, phone: boolean, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> => {
    const context = await browser.newContext(phone
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme }
      : { viewport: { width: 1100, height: 700 }, colorScheme })
    const page = await context.newPage()
    await page.goto(origin)
    if (username === '') return page
    await page.fill('input[name=username]', username)
    await page.fill('input[name=password]', PASSWORD)
    await page.click('form.login-form button[type=submit]')
    await page.waitForSelector('.room-link')
    return page
  }
  const say = async (page: Page, text: string): Promise<void> => {
    await page.fill('.composer textarea', text)
    await page.press('.composer textarea', 'Enter')
    await page.locator('.message.mine:not(.pending)', { hasText: text.split('\n')[0] }).last().waitFor()
  }
  const menuOf = async (page: Page, text: string): Promise<void> => {
    await page.locator('.message .bubble', { hasText: text }).last().click()
    await page.locator('.message-menu').waitFor()
  }
  const shot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: join(OUT, `${name}.png`) })
    console.log(`docs/screenshots/${name}.png`)
  }
  mkdirSync(OUT, { recursive: true })

  const login = await open('', true)
  await login.waitForSelector('.login-form')
  await shot(login, 'phone-login')

  const mum = await open('mum', false)
  const lea = await open('lea', true)
  const dad = await open('dad', true, 'dark')
  for (const page of [mum, lea, dad]) {
    await page.click('.room-link')
    await page.waitForSelector('.composer')
  }
  await say(dad, 'Who is coming on Sunday? 🍰')
  await say(lea, 'Me! With Tom 😊')
  await menuOf(mum, 'Me! With Tom')
  await mum.click('.message-menu .quick-reactions button[aria-label="React ❤️"]')
  await menuOf(dad, 'Me! With Tom')
  await dad.click('.message-menu .quick-reactions button[aria-label="React 👍"]')
  await menuOf(mum, 'Who is coming')
  await mum.click('.message-menu .action-reply')
  await say(mum, 'Lunch at 12:30, directions: https://example.org/map')
  const cake = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#e8b86d' } })
    .composite([{ input: Buffer.from('<svg width="1200" height="800"><circle cx="600" cy="420" r="260" fill="#8b4a2b"/><rect x="340" y="300" width="520" height="60" fill="#f7e7ce"/><text x="600" y="200" font-size="90" text-anchor="middle" fill="#5a2d0c">Happy birthday!</text></svg>') }])
    .jpeg().toBuffer()
  await lea.setInputFiles('.composer input[type=file]', { name: 'cake.jpg', mimeType: 'image/jpeg', buffer: cake })
  await lea.fill('.composer textarea', 'The cake is ready 🎂')
  await lea.press('.composer textarea', 'Enter')
  await mum.locator('.message .photo img').waitFor()
  await dad.locator('.message .photo img').waitFor()
  // Typing notices are throttled to one per 2 s (server and client); dad's last one was just now.
  await dad.waitForTimeout(2100)
  await dad.fill('.composer textarea', 'Looks amazing')
  await mum.locator('.typing', { hasText: 'typing' }).waitFor()
  await mum.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete))
  await shot(mum, 'desktop-room')
  await dad.press('.composer textarea', 'Enter')
  await lea.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete))
  await shot(lea, 'phone-room')
  await shot(dad, 'phone-room-dark')
  await menuOf(lea, 'Lunch at 12:30')
  await shot(lea, 'phone-message-menu')
  await lea.keyboard.press('Escape')

  await lea.click('.room .search-link')
  await lea.fill('.search-form input', 'lunch')
  await lea.locator('.search-result').first().waitFor()
  await shot(lea, 'phone-search')
  await lea.click('.back')

  await lea.click('.back')
  await lea.locator('.person', { hasText: 'Grandpa' }).click()
  await say(lea, 'Grandpa, do you need a lift?')
  await lea.click('.back')
  await shot(lea, 'phone-conversations')
  await lea.click('.me')
  await lea.locator('.profile-name').waitFor()
  await shot(lea, 'phone-profile')
  await lea.click('.devices-link')
  await lea.locator('.sessions li').first().waitFor()
  await shot(lea, 'phone-devices')
  await browser.close()
} finally {
  await app.close()
  rmSync(dataDir, { recursive: true, force: true })
}
