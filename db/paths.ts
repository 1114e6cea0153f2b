import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Walk up to package.json so the same code works from src/ (tsx) and dist/src/ (tsc output).
function findRoot (from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`package.json not found above ${from}`)
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'drizzle')
