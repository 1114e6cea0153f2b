import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { MIGRATIONS_DIR } from './paths.js'
import type * as schema from './schema/index.js'
import { ensureFamilyRoom } from './queries/rooms.js'

export const migrationsConfig = { migrationsFolder: MIGRATIONS_DIR }

/** Applies drizzle/ with the driver's own migrator, then seeds what a fresh install needs. */
export async function migratePostgresDatabase (db: PostgresJsDatabase<typeof schema>): Promise<void> {
  await migratePostgres(db, migrationsConfig)
  await ensureFamilyRoom(db)
}
