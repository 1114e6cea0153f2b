import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../../db/paths.js'

/** Built with the server by scripts/build.mjs (scripts/build-web.mjs). */
export const WEB_BUILD_DIR = join(PROJECT_ROOT, 'dist', 'web')

export interface WebAsset {
  body: Buffer
  contentType: string
  etag: string
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  map: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  webmanifest: 'application/manifest+json'
}

const asset = (body: Buffer, contentType: string): WebAsset => ({
  body,
  contentType,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
})

async function readWebAssets (): Promise<Map<string, WebAsset>> {
  const assets = new Map<string, WebAsset>()
  const names = await readdir(WEB_BUILD_DIR).catch((err: unknown) => {
    throw new Error(`the web app is not built (${WEB_BUILD_DIR}): run \`npm run build\``, { cause: err })
  })
  for (const name of names) {
    const type = CONTENT_TYPES[name.split('.').pop() ?? '']
    if (type !== undefined) assets.set(name, asset(await readFile(join(WEB_BUILD_DIR, name)), type))
  }
  return assets
}

let loaded: Promise<Map<string, WebAsset>> | undefined

/** Read once per process: the files cannot change under a running server (a rebuild swaps dist/ whole). */
export function webAssets (): Promise<Map<string, WebAsset>> {
  loaded ??= readWebAssets()
  return loaded
}
