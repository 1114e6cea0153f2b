import { randomUUID } from 'node:crypto'
import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { createdAt, timestamptz } from './_columns.js'
import { users } from './users.js'

/** One row per login (a device). A JWT names its session; revoking the row revokes the token. */
export const sessions = pgTable('sessions', {
  id: uuid('id').primaryKey().$defaultFn(randomUUID),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  userAgent: text('user_agent'),
  createdAt: createdAt(),
  lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
  expiresAt: timestamptz('expires_at').notNull(),
  revokedAt: timestamptz('revoked_at')
}, (t) => [
  index('sessions_user_id_idx').on(t.userId)
])

export type SessionRow = typeof sessions.$inferSelect
