import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, count, eq } from 'drizzle-orm'
import { pgSchema, serial, text } from 'drizzle-orm/pg-core'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { MIGRATIONS_DIR } from './paths.js'
import type * as schema from './schema/index.js'
import { ensureFamilyRoom } from './queries/rooms.js'
import type { Db } from './types.js'

export interface MigrateOptions {
  /** Seed what a fresh install needs (the Family room); default true. */
  seed?: boolean
  /** Apply only the first `upTo` migrations (restoring an older backup); default all. */
  upTo?: number
}

interface Journal { entries: Array<{ tag: string }> }

const journal = (): Journal => JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as Journal

/** The schema version this code expects: the number of migrations in drizzle/. */
export const currentSchemaVersion = (): number => journal().entries.length

// The migrators' bookkeeping table, and the catalogue that says whether it exists yet.
const appliedMigrations = pgSchema('drizzle').table('__drizzle_migrations', { id: serial('id') })
const catalogTables = pgSchema('information_schema').table('tables', { schema: text('table_schema'), name: text('table_name') })

/** The schema version of a database: how many of drizzle/'s migrations it has applied (0 before any). */
export async function schemaVersionOf (db: Db): Promise<number> {
  const [table] = await db.select({ n: count() }).from(catalogTables)
    .where(and(eq(catalogTables.schema, 'drizzle'), eq(catalogTables.name, '__drizzle_migrations')))
  if (table?.n !== 1) return 0
  const [applied] = await db.select({ n: count() }).from(appliedMigrations)
  return applied?.n ?? 0
}

/**
 * The migrator's configuration for the first `upTo` migrations: the whole folder, or a temporary
 * copy whose journal stops there (drizzle's migrators read what to apply from the journal).
 */
export async function withMigrations (upTo: number | undefined, run: (config: { migrationsFolder: string }) => Promise<void>): Promise<void> {
  const all = journal()
  if (upTo === undefined || upTo >= all.entries.length) return await run({ migrationsFolder: MIGRATIONS_DIR })
  const dir = mkdtempSync(join(tmpdir(), 'family-chat-migrations-'))
  try {
    cpSync(MIGRATIONS_DIR, dir, { recursive: true })
    writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...all, entries: all.entries.slice(0, upTo) }))
    await run({ migrationsFolder: dir })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Applies drizzle/ with the driver's own migrator, then seeds what a fresh install needs. */
export async function migratePostgresDatabase (db: PostgresJsDatabase<typeof schema>, options: MigrateOptions = {}): Promise<void> {
  await withMigrations(options.upTo, (config) => migratePostgres(db, config))
  if (options.seed !== false) await ensureFamilyRoom(db)
}
