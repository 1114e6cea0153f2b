import type { MessageRow } from '../../db/schema/index.js'
import type { ImageUrls } from '../media/media-store.js'
import type { Message } from '../schemas/message.js'

export type ImageUrlSigner = (image: { imageKey: string, thumbKey: string }) => ImageUrls

/** The one mapping from a stored row to the contract's Message (ISO dates, signed image URLs). */
export function toMessageDto (row: MessageRow, sign: ImageUrlSigner): Message {
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
    reactions: row.reactions
  }
}
