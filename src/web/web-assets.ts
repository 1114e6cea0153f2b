import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import sharp from 'sharp'
import { PROJECT_ROOT } from '../../db/paths.js'

export const WEB_DIR = join(PROJECT_ROOT, 'web')

export interface WebAsset {
  body: Buffer
  contentType: string
  etag: string
}

const STATIC_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
  'manifest.webmanifest': 'application/manifest+json'
} as const

const asset = (body: Buffer, contentType: string): WebAsset => ({
  body,
  contentType,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
})

/**
 * The family's web page, built in memory: the TypeScript client bundled by esbuild (tens of
 * milliseconds) and the PNG icons rendered from the SVG. Building at start-up keeps
 * `npm install && npm start` the whole procedure, with nothing generated to go stale on disk.
 */
async function buildWebAssets (): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>()
  const bundle = await build({
    entryPoints: [join(WEB_DIR, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'external',
    outfile: 'app.js',
    write: false,
    logLevel: 'silent'
  })
  for (const file of bundle.outputFiles) {
    const name = file.path.endsWith('.map') ? 'app.js.map' : 'app.js'
    assets.set(name, asset(Buffer.from(file.contents), name === 'app.js' ? 'text/javascript; charset=utf-8' : 'application/json'))
  }
  for (const [name, contentType] of Object.entries(STATIC_FILES)) {
    assets.set(name, asset(await readFile(join(WEB_DIR, name)), contentType))
  }
  const svg = assets.get('icon.svg')!.body
  for (const size of [192, 512]) {
    assets.set(`icon-${size}.png`, asset(await sharp(svg, { density: 72 * size / 64 }).resize(size, size).png().toBuffer(), 'image/png'))
  }
  return assets
}

let built: Promise<Map<string, WebAsset>> | undefined

/** Built once per process: the files cannot change under a running server. */
export function webAssets (): Promise<Map<string, WebAsset>> {
  built ??= buildWebAssets()
  return built
}
