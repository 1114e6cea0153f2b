#!/usr/bin/env node
// Compiles the server, bin/ commands and benchmarks to JavaScript in dist/, bundles the server into dist/bundle/, and the web app into dist/web/ (run by `npm install`'s
// prepare step, before `npm start` and before every bin/ command). Plain JavaScript itself, so it
// needs no TypeScript loader.
//
// `--if-stale` rebuilds only when the sources differ from the ones dist/ was built from: a content
// hash of every input, so an edit, a deleted file or a `git checkout` is never served stale, and a
// start with nothing changed costs a few milliseconds of reading files.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildWeb } from './build-web.mjs'
import { bundleServer } from './bundle-server.mjs'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const DIST = join(ROOT, 'dist')
const STAMP = '.source-hash'
const SOURCE_DIRS = ['src', 'plugins', 'routes', 'db', 'bench', 'scripts', 'web']
// test/fixtures/ports.ts: the bench shares it with the tests.
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'test/fixtures/ports.ts']

function sourceHash () {
  const hash = createHash('sha256')
  const files = [...SOURCE_FILES.map((f) => join(ROOT, f))]
  for (const dir of SOURCE_DIRS) {
    // `parentPath` is Node 20.12's name for what 20.11 calls `path`.
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && /\.(ts|mjs|json|html|css|svg|webmanifest)$/.test(entry.name)) files.push(join(entry.parentPath ?? entry.path, entry.name))
    }
  }
  for (const file of files.sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

function builtHash (dir) {
  try {
    return readFileSync(join(dir, STAMP), 'utf8')
  } catch {
    return null
  }
}

const ifStale = process.argv.includes('--if-stale')
const hash = sourceHash()
if (ifStale && builtHash(DIST) === hash) process.exit(0)

// Built beside dist/ and swapped in whole, so a server or command running from dist/ never sees a
// half-written tree, and two commands building at once both end with a complete one.
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
if (!existsSync(tsc)) {
  console.error('family-chat: the sources changed but TypeScript is not installed to rebuild them: run `npm install`')
  process.exit(1)
}
const staging = join(ROOT, `.dist-${process.pid}`)
console.error('family-chat: compiling the server into dist/…')
const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' })
if (result.status !== 0) {
  rmSync(staging, { recursive: true, force: true })
  console.error('family-chat: the TypeScript build failed')
  process.exit(1)
}
try {
  await bundleServer(staging)
} catch (err) {
  rmSync(staging, { recursive: true, force: true })
  console.error('family-chat: bundling the server failed:', err instanceof Error ? err.message : err)
  process.exit(1)
}
try {
  await buildWeb(join(ROOT, 'web'), join(staging, 'web'))
} catch (err) {
  rmSync(staging, { recursive: true, force: true })
  console.error('family-chat: the web app build failed:', err instanceof Error ? err.message : err)
  process.exit(1)
}
writeFileSync(join(staging, STAMP), hash)
if (builtHash(DIST) === hash) {
  rmSync(staging, { recursive: true, force: true })
} else {
  const old = join(ROOT, `.dist-old-${process.pid}`)
  try {
    if (existsSync(DIST)) renameSync(DIST, old)
    renameSync(staging, DIST)
  } catch (err) {
    // Another build swapped its own in between: keep it if it is of the same sources.
    if (builtHash(DIST) !== hash) throw err
    rmSync(staging, { recursive: true, force: true })
  }
  rmSync(old, { recursive: true, force: true })
}
