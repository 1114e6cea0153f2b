import { sql } from 'drizzle-orm'
import { check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { createdAt, updatedAt } from './_columns.js'
import { sessions } from './sessions.js'
import { users } from './users.js'

export const PUSH_PREVIEWS = ['full', 'sender', 'none'] as const

/** The server's one VAPID key pair, generated on first use, so every instance signs with it. */
export const pushKeys = pgTable('push_keys', {
  id: integer('id').primaryKey().default(1),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  createdAt: createdAt()
}, (t) => [
  check('push_keys_single_check', sql`${t.id} = 1`)
])

/**
 * A device's push subscription. It belongs to the session that registered it, so ending the
 * session (logout, revocation, a lost phone) is what stops the device buzzing.
 */
export const pushSubscriptions = pgTable('push_subscriptions', {
  sessionId: uuid('session_id').primaryKey().references(() => sessions.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  endpoint: text('endpoint').notNull().unique('push_subscriptions_endpoint_key'),
  p256dh: text('p256dh').notNull(),
  auth: text('auth').notNull(),
  preview: text('preview', { enum: PUSH_PREVIEWS }).notNull().default('full'),
  createdAt: createdAt(),
  updatedAt: updatedAt()
}, (t) => [
  check('push_subscriptions_preview_check', sql`${t.preview} in ('full', 'sender', 'none')`),
  index('push_subscriptions_user_id_idx').on(t.userId)
])

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect
export type PushPreview = typeof PUSH_PREVIEWS[number]
