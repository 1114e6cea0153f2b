// The family's web page, built with the server (scripts/build.mjs) rather than at every start: the
// TypeScript client bundled by esbuild, the PNG icons rendered from the SVG, the static files beside
// them. The server only reads these files (src/web/web-assets.ts), so esbuild never loads in it.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import sharp from 'sharp'

export const STATIC_FILES = ['index.html', 'app.css', 'icon.svg', 'manifest.webmanifest']

export async function buildWeb (webDir, outDir) {
  mkdirSync(outDir, { recursive: true })
  const bundle = { bundle: true, target: 'es2022', minify: true, logLevel: 'silent' }
  await build({ ...bundle, entryPoints: [join(webDir, 'src', 'main.ts')], format: 'esm', sourcemap: 'external', outfile: join(outDir, 'app.js') })
  // A classic script: that is how the page registers it (module service workers are not everywhere yet).
  await build({ ...bundle, entryPoints: [join(webDir, 'sw', 'service-worker.ts')], format: 'iife', outfile: join(outDir, 'sw.js') })
  for (const name of STATIC_FILES) copyFileSync(join(webDir, name), join(outDir, name))
  for (const size of [192, 512]) {
    const png = await sharp(join(webDir, 'icon.svg'), { density: 72 * size / 64 }).resize(size, size).png().toBuffer()
    writeFileSync(join(outDir, `icon-${size}.png`), png)
  }
}
