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
  deletedAt: null,
  reactions: {},
  replyToId: null
}
const deleted: MessageRow = { ...stored, body: '', imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, deletedAt: now }
const reacted: MessageRow = { ...stored, reactions: { '👍': ['u2', 'u3'], '❤️': ['u4'] } }

t.test('edit: a new body and editedAt; the same body changes nothing; a tombstone is a conflict', async (t) => {
  t.same(CHANGES.edit(stored, { body: 'hi' }, now), { ...stored, body: 'hi', editedAt: now })
  t.equal(CHANGES.edit(stored, { body: 'hello' }, now), UNCHANGED)
  t.match(CHANGES.edit(deleted, { body: 'back' }, now), { code: 'conflict', statusCode: 409 })
})

t.test('delete: a tombstone without body or photo; deleting again changes nothing', async (t) => {
  t.same(CHANGES.delete(stored, {}, now), deleted)
  t.equal(CHANGES.delete(deleted, {}, now), UNCHANGED)
})

t.test('delete: the tombstone keeps no reactions', async (t) => {
  t.same(CHANGES.delete(reacted, {}, now), deleted)
})

t.test('react: one emoji per member, in the order they reacted; a new one replaces theirs', async (t) => {
  t.same(CHANGES.react(stored, { userId: 'u2', emoji: '👍' }, now), { ...stored, reactions: { '👍': ['u2'] } })
  t.same(CHANGES.react(reacted, { userId: 'u5', emoji: '👍' }, now), { ...stored, reactions: { '👍': ['u2', 'u3', 'u5'], '❤️': ['u4'] } })
  t.same(CHANGES.react(reacted, { userId: 'u2', emoji: '❤️' }, now), { ...stored, reactions: { '👍': ['u3'], '❤️': ['u4', 'u2'] } })
  t.same(CHANGES.react(reacted, { userId: 'u4', emoji: '😂' }, now), { ...stored, reactions: { '👍': ['u2', 'u3'], '😂': ['u4'] } }, 'an emoji nobody holds any more is gone')
})

t.test('react: taking a reaction back; the same emoji again or no reaction to take back changes nothing', async (t) => {
  t.same(CHANGES.react(reacted, { userId: 'u4', emoji: null }, now), { ...stored, reactions: { '👍': ['u2', 'u3'] } })
  t.equal(CHANGES.react(reacted, { userId: 'u2', emoji: '👍' }, now), UNCHANGED)
  t.equal(CHANGES.react(reacted, { userId: 'u9', emoji: null }, now), UNCHANGED)
})

t.test('react: a deleted message takes none (409), but taking back nothing from it is a no-op', async (t) => {
  t.match(CHANGES.react(deleted, { userId: 'u2', emoji: '👍' }, now), { code: 'conflict', statusCode: 409 })
  t.equal(CHANGES.react(deleted, { userId: 'u2', emoji: null }, now), UNCHANGED)
})

t.test('react: never editedAt, never the body', async (t) => {
  const next = CHANGES.react(stored, { userId: 'u2', emoji: '👍' }, now) as MessageRow
  t.same([next.body, next.editedAt], ['hello', null])
})

t.test('rules never number events or touch identity: the room log does', async (t) => {
  const next = CHANGES.edit(stored, { body: 'hi' }, now) as MessageRow
  t.same([next.id, next.roomId, next.seq, next.eventSeq, next.senderId, next.clientId, next.createdAt], [stored.id, stored.roomId, 4, 4, 'u1', 'c1', stored.createdAt])
})
