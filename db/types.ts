import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type * as schema from './schema/index.js'

/** Accepted by every query: postgres-js, PGlite, and a transaction of either. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>
