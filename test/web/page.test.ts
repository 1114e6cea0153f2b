import t from 'tap'
import sharp from 'sharp'
import { build } from '../helper.js'

t.test('/ serves the chat page under a strict Content-Security-Policy', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, /<script type="module" src="\/app\/app.js"><\/script>/)
  t.match(res.body, /<link rel="manifest" href="\/app\/manifest.webmanifest">/)
  const csp = String(res.headers['content-security-policy'])
  for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]) {
    t.ok(csp.split(';').includes(directive), directive)
  }
  t.notMatch(csp, /unsafe-inline|unsafe-eval|https:|\*/, 'nothing loosens it')
  t.notMatch(res.body, /<script>|<style>|\sstyle=|\son\w+=/, 'the page has no inline script, style or handler')
})

t.test('the script, styles and icons come from this server, revalidated by ETag', async (t) => {
  const app = await build(t)
  const js = await app.inject({ method: 'GET', url: '/app/app.js' })
  t.equal(js.statusCode, 200)
  t.match(js.headers['content-type'], /^text\/javascript/)
  t.notMatch(js.body, /https?:\/\/(?!127\.0\.0\.1)[a-z]/i, 'the bundle names no other host')
  t.equal(js.headers['cache-control'], 'no-cache')
  const again = await app.inject({ method: 'GET', url: '/app/app.js', headers: { 'if-none-match': String(js.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  const css = await app.inject({ method: 'GET', url: '/app/app.css' })
  t.match(css.headers['content-type'], /^text\/css/)
  t.notMatch(css.body, /url\(|@import/, 'no fonts or images from elsewhere')
})

t.test('the manifest makes the page installable, with icons of the sizes it names', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/app/manifest.webmanifest' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/manifest\+json/)
  const manifest = res.json() as { name: string, start_url: string, display: string, icons: Array<{ src: string, sizes: string, type: string }> }
  t.match(manifest, { name: 'Family Chat', start_url: '/', display: 'standalone' })
  for (const icon of manifest.icons.filter((i) => i.type === 'image/png')) {
    const file = await app.inject({ method: 'GET', url: icon.src })
    t.equal(file.statusCode, 200, icon.src)
    const meta = await sharp(file.rawPayload).metadata()
    t.equal(`${meta.width}x${meta.height}`, icon.sizes, `${icon.src} is ${icon.sizes}`)
    t.equal(meta.format, 'png')
  }
})

t.test('only the built files are served: unknown names and path tricks are 404', async (t) => {
  const app = await build(t)
  for (const url of ['/app/nope.js', '/app/..%2Fpackage.json', '/app/%2e%2e/src/app.ts', '/app/index.html', '/app/', '/app/src%2Fmain.ts']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.match(res.json(), { statusCode: 404, code: 'not_found' }, url)
  }
})
