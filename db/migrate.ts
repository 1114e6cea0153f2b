import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { MIGRATIONS_DIR } from '../src/paths.js'
import type { Database } from './client.js'
import type * as schema from './schema/index.js'
import { ensureFamilyRoom } from './queries/rooms.js'

/** Applies drizzle/ with the driver's own migrator, then seeds what a fresh install needs. */
export async function runMigrations ({ db, driver }: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR }
  if (driver === 'pglite') {
    await migratePglite(db as PgliteDatabase<typeof schema>, config)
  } else {
    await migratePostgres(db as PostgresJsDatabase<typeof schema>, config)
  }
  await ensureFamilyRoom(db)
}
