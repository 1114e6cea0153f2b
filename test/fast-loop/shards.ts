import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { PROJECT_ROOT } from '../../db/paths.js'

// The fast loop: the domain, the routes, realtime, media and push, all in-process on PGlite (no
// browser, no spawned server). `npm test` runs the same files too, each in a process of its own.
const FOLDERS = ['chat', 'media', 'push', 'realtime', 'routes', 'src']

/** Every fast-loop test file, with its size as a rough measure of its work. */
function fastLoopFiles (): Array<{ path: string, size: number }> {
  return FOLDERS.flatMap((folder) => {
    const dir = join(PROJECT_ROOT, 'test', folder)
    return readdirSync(dir)
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => ({ path: join(dir, name), size: statSync(join(dir, name)).size }))
  })
}

/** Shard `index` of `count` (from 1): the largest files first, each onto the lightest shard so far. */
export function shardFiles (index: number, count: number): string[] {
  const shards = Array.from({ length: count }, () => ({ size: 0, files: [] as string[] }))
  const bySize = fastLoopFiles().sort((a, b) => b.size - a.size || a.path.localeCompare(b.path))
  for (const file of bySize) {
    const lightest = shards.reduce((min, shard) => shard.size < min.size ? shard : min)
    lightest.size += file.size
    lightest.files.push(file.path)
  }
  return shards[index - 1]!.files.sort()
}

/**
 * Runs one shard's test files in this process: a test file's process start and its imports cost
 * more than most of its tests, and the files' PGlites are reused across them. The files register
 * their tests on this process's root; `before` holds those tests back until every file is loaded,
 * so they run in file order and the root cannot end between two files.
 */
export function runShard (index: number, count: number): void {
  t.before(async () => {
    for (const file of shardFiles(index, count)) {
      t.comment(relative(PROJECT_ROOT, file))
      await import(pathToFileURL(file).href)
    }
  })
}
