import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { MIGRATIONS_DIR } from './paths.js'
import type * as schema from './schema/index.js'
import { ensureFamilyRoom } from './queries/rooms.js'

const config = { migrationsFolder: MIGRATIONS_DIR }

/** Applies drizzle/ with the driver's own migrator, then (unless building a template) seeds what a fresh install needs. */
export async function migratePgliteDatabase (db: PgliteDatabase<typeof schema>, options: { seed?: boolean } = {}): Promise<void> {
  await migratePglite(db, config)
  if (options.seed !== false) await ensureFamilyRoom(db)
}

/** Applies drizzle/ with the driver's own migrator, then seeds what a fresh install needs. */
export async function migratePostgresDatabase (db: PostgresJsDatabase<typeof schema>): Promise<void> {
  await migratePostgres(db, config)
  await ensureFamilyRoom(db)
}
