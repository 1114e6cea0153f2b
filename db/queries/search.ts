import { sql } from 'drizzle-orm'
import { messages, type MessageRow } from '../schema/index.js'
import type { Db } from '../types.js'

export interface SearchQuery {
  userId: string
  /** Only this room (the caller has checked membership); else every room of the user. */
  roomId?: string | undefined
  text: string
  limit: number
  /** Continue after this message (the last one of the previous page). */
  afterId?: string | undefined
}

/**
 * Messages of the user's rooms, not deleted, containing every word of `text` as a prefix, newest
 * first, at most `limit`. The text is split into words by PostgreSQL itself (the same parser and
 * accent folding as the indexed bodies: drizzle/0002_search.sql), each becoming `'word':*`, so no
 * input can be tsquery syntax. Keyset order: (created_at, id) descending.
 */
export function searchMessagesQuery (db: Db, query: SearchQuery) {
  const terms = sql`(select to_tsquery('simple', string_agg(quote_literal(lexeme) || ':*', ' & '))
    from unnest(to_tsvector('family_search', ${query.text})))`
  const scope = query.roomId === undefined
    ? sql`${messages.roomId} in (select room_id from room_members where user_id = ${query.userId}::uuid)`
    : sql`${messages.roomId} = ${query.roomId}::uuid`
  const after = query.afterId === undefined
    ? sql`true`
    : sql`(${messages.createdAt}, ${messages.id}) < (select created_at, id from messages after where after.id = ${query.afterId}::uuid)`
  return db.select().from(messages)
    .where(sql`to_tsvector('family_search', ${messages.body}) @@ ${terms}
      and ${messages.deletedAt} is null and ${scope} and ${after}`)
    .orderBy(sql`${messages.createdAt} desc, ${messages.id} desc`)
    .limit(query.limit)
}

export async function searchMessages (db: Db, query: SearchQuery): Promise<MessageRow[]> {
  return await searchMessagesQuery(db, query)
}
