import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { check, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { createdAt, timestamptz, updatedAt } from './_columns.js'

export const users = pgTable('users', {
  id: uuid('id').primaryKey().$defaultFn(randomUUID),
  // Stored lower-case, so the plain unique constraint is the case-insensitive one.
  username: text('username').notNull().unique('users_username_key'),
  displayName: text('display_name').notNull(),
  // The profile photo's two stored files (256 px and 64 px squares), signed into avatarUrl when read.
  avatarKey: text('avatar_key'),
  avatarThumbKey: text('avatar_thumb_key'),
  passwordHash: text('password_hash').notNull(),
  disabledAt: timestamptz('disabled_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt()
}, (t) => [
  check('users_username_check', sql`${t.username} ~ '^[a-z0-9._-]{3,32}$'`)
])

export type UserRow = typeof users.$inferSelect
export type NewUserRow = typeof users.$inferInsert
