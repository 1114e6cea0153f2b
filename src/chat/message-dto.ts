import type { ImageUrls } from '../media/media-store.js'
import type { Message, ReplyQuote } from '../schemas/message.js'
import type { ChatMessage, QuotedMessage } from './quotes.js'

export type ImageUrlSigner = (image: { imageKey: string, thumbKey: string }) => ImageUrls

/** A reply shows this much of its original's text. */
export const QUOTE_CODE_POINTS = 140

function toQuote (original: QuotedMessage): ReplyQuote {
  // Code points, not UTF-16 units: a cut never splits an emoji's surrogate pair.
  const chars = [...original.body.slice(0, QUOTE_CODE_POINTS * 2)]
  return {
    id: original.id,
    seq: original.seq,
    senderId: original.senderId,
    body: original.deletedAt === null ? chars.slice(0, QUOTE_CODE_POINTS).join('') : '',
    hasImage: original.imageKey !== null,
    deletedAt: original.deletedAt?.toISOString() ?? null
  }
}

/** The one mapping from a message to the contract's Message (ISO dates, signed image URLs, the reply's quote). */
export function toMessageDto (row: ChatMessage, sign: ImageUrlSigner): Message {
  return {
    id: row.id,
    roomId: row.roomId,
    seq: row.seq,
    eventSeq: row.eventSeq,
    senderId: row.senderId,
    clientId: row.clientId,
    body: row.body,
    image: row.imageKey === null || row.thumbKey === null
      ? null
      : { ...sign({ imageKey: row.imageKey, thumbKey: row.thumbKey }), width: row.imageWidth ?? 0, height: row.imageHeight ?? 0 },
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
    reactions: row.reactions,
    replyTo: row.replyTo === null ? null : toQuote(row.replyTo)
  }
}
