import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MIGRATIONS_DIR, PROJECT_ROOT } from './paths.js'

/**
 * A new embedded database starts from a migrated PGlite data directory that the project builds
 * (`npm run db:template`) and commits, instead of running PostgreSQL's initdb on the family's box:
 * initdb is what made the first start peak at 800 MiB and take seconds (README, "Footprint").
 * The template holds the schema only; the Family room is seeded at start, as on any database.
 */
export const TEMPLATE_DIR = join(PROJECT_ROOT, 'db', 'pglite-template')
const DATA_FILE = join(TEMPLATE_DIR, 'data.tar.gz')
const MANIFEST_FILE = join(TEMPLATE_DIR, 'manifest.json')

export interface TemplateManifest {
  /** What it was built from: drizzle/ (migrationsHash) on this PGlite. */
  migrationsHash: string
  pgliteVersion: string
  /** sha256 of data.tar.gz, so a damaged template is never loaded. */
  dataSha256: string
}

/** A digest of every migration file (SQL and drizzle's journal): the schema a template must carry. */
export function migrationsHash (): string {
  const hash = createHash('sha256')
  for (const file of readdirSync(MIGRATIONS_DIR, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)))
  }
  return hash.digest('hex')
}

export function installedPgliteVersion (): string {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}

export const templatePaths = { data: DATA_FILE, manifest: MANIFEST_FILE }

/**
 * The template's data directory when it matches the migrations and the PGlite installed here and
 * its bytes are intact; otherwise undefined, and the database is created the slow way (initdb,
 * then migrations), which is always correct.
 */
export function currentTemplate (): Blob | undefined {
  if (!existsSync(MANIFEST_FILE) || !existsSync(DATA_FILE)) return undefined
  const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as TemplateManifest
  if (manifest.migrationsHash !== migrationsHash() || manifest.pgliteVersion !== installedPgliteVersion()) return undefined
  const data = readFileSync(DATA_FILE)
  if (createHash('sha256').update(data).digest('hex') !== manifest.dataSha256) return undefined
  return new Blob([data])
}
