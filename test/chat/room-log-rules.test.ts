import t from 'tap'
import type { MessageRow } from '../../db/schema/index.js'
import { CHANGES, UNCHANGED } from '../../src/chat/room-log.js'

const now = new Date('2026-12-01T12:00:00Z')
const stored: MessageRow = {
  id: 'm1',
  roomId: 'r1',
  seq: 4,
  eventSeq: 4,
  senderId: 'u1',
  clientId: 'c1',
  body: 'hello',
  imageKey: 'a.jpg',
  thumbKey: 'a_t.jpg',
  imageWidth: 10,
  imageHeight: 20,
  createdAt: new Date('2026-12-01T11:00:00Z'),
  editedAt: null,
  deletedAt: null
}
const deleted: MessageRow = { ...stored, body: '', imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, deletedAt: now }

t.test('edit: a new body and editedAt; the same body changes nothing; a tombstone is a conflict', async (t) => {
  t.same(CHANGES.edit(stored, { body: 'hi' }, now), { ...stored, body: 'hi', editedAt: now })
  t.equal(CHANGES.edit(stored, { body: 'hello' }, now), UNCHANGED)
  t.match(CHANGES.edit(deleted, { body: 'back' }, now), { code: 'conflict', statusCode: 409 })
})

t.test('delete: a tombstone without body or photo; deleting again changes nothing', async (t) => {
  t.same(CHANGES.delete(stored, {}, now), deleted)
  t.equal(CHANGES.delete(deleted, {}, now), UNCHANGED)
})

t.test('rules never number events or touch identity: the room log does', async (t) => {
  const next = CHANGES.edit(stored, { body: 'hi' }, now) as MessageRow
  t.same([next.id, next.roomId, next.seq, next.eventSeq, next.senderId, next.clientId, next.createdAt], [stored.id, stored.roomId, 4, 4, 'u1', 'c1', stored.createdAt])
})
