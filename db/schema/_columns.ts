import { timestamp } from 'drizzle-orm/pg-core'

// Functions, not shared builder instances: a builder reused across tables would share its config.
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
export const createdAt = () => timestamptz('created_at').notNull().defaultNow()
export const updatedAt = () => timestamptz('updated_at').notNull().defaultNow().$onUpdate(() => new Date())
