import { findMessagesByIds } from '../../db/queries/messages.js'
import { isUuid } from '../../db/ids.js'
import type { MessageRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'

/** What a reply shows of its original, as the original is now. */
export type QuotedMessage = Pick<MessageRow, 'id' | 'seq' | 'senderId' | 'body' | 'imageKey' | 'deletedAt'>

/**
 * A message as the chat domain hands it on: the stored row and, for a reply, its original. The
 * quote is never stored with the reply: it is read with it, so an edit or deletion of the original
 * shows in every reply.
 */
export type ChatMessage = MessageRow & { replyTo: QuotedMessage | null }

export const quoteOf = ({ id, seq, senderId, body, imageKey, deletedAt }: QuotedMessage): QuotedMessage =>
  ({ id, seq, senderId, body, imageKey, deletedAt })

/** The stored messages with these ids (malformed ones are simply not found), by id. */
export async function findOriginals (db: Db, ids: Array<string | null>): Promise<Map<string, MessageRow>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null && isUuid(id)))]
  if (wanted.length === 0) return new Map()
  return new Map((await findMessagesByIds(db, wanted)).map((m) => [m.id, m]))
}

/**
 * Attaches the row's original from `originals` (null when it is not a reply, or the original is
 * gone). The row is a fresh one from a query or an append, so it is completed in place rather
 * than copied: this runs for every message sent.
 */
export function attachQuote (row: MessageRow, originals: Map<string, MessageRow>): ChatMessage {
  const original = row.replyToId === null ? undefined : originals.get(row.replyToId)
  const message = row as ChatMessage
  message.replyTo = original === undefined ? null : quoteOf(original)
  return message
}

/** Rows with their originals, read in one query (none when no row is a reply). */
export async function withQuotes (db: Db, rows: MessageRow[]): Promise<ChatMessage[]> {
  const originals = await findOriginals(db, rows.map((r) => r.replyToId))
  return rows.map((row) => attachQuote(row, originals))
}
