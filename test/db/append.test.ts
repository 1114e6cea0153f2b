// The room log's append as the database runs it, for one message (a family's usual batch) and for
// several in one statement: it stores every field as given, numbers the new rows after the room's
// counter, skips what a sender already stored under the same clientId, and refuses a room that
// does not exist without storing anything.
import t from 'tap'
import { eq } from 'drizzle-orm'
import type { AppendInput } from '../../db/append.js'
import { messages, rooms } from '../../db/schema/index.js'
import { build, createUser, storedMessageCount } from '../helper.js'

async function family (t: Parameters<typeof build>[0]) {
  const app = await build(t)
  const alice = await createUser(app, 'alice')
  const roomId = (await app.chat.rooms(alice))[0]!.id
  const lastSeq = async (): Promise<number> => (await app.database.db.select({ n: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)))[0]!.n
  return { app, alice, roomId, lastSeq }
}

const text = (senderId: string, clientId: string | null, body: string): AppendInput => ({
  senderId, clientId, body, imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, replyToId: null
})

for (const size of [1, 3]) {
  const form = size === 1 ? 'one message alone' : `${size} messages together`

  t.test(`${form}: every field stored as given, numbered after the room's counter`, async (t) => {
    const { app, alice, roomId, lastSeq } = await family(t)
    const [first] = await app.database.appendMessages(roomId, [text(alice, 'first', 'first')])
    const inputs = Array.from({ length: size }, (_v, i): AppendInput => ({
      senderId: alice,
      clientId: i === 0 ? null : `c${i}`,
      body: `it's ${i} 👍 \\ ''`,
      imageKey: `photos/${i}.jpg`,
      thumbKey: `photos/${i}-thumb.jpg`,
      imageWidth: 640 + i,
      imageHeight: 480 + i,
      replyToId: first!.id
    }))
    const answered = await app.database.appendMessages(roomId, inputs)
    t.same(answered.map((row) => row?.seq), inputs.map((_v, i) => i + 2), 'numbered 2.. in input order')
    const stored = await app.database.db.select().from(messages).where(eq(messages.roomId, roomId))
    for (const [i, input] of inputs.entries()) {
      const row = stored.find((m) => m.id === answered[i]!.id)
      t.match(row, { ...input, roomId, seq: i + 2, eventSeq: i + 2, editedAt: null, deletedAt: null }, `message ${i + 2} stored as given`)
      t.equal(row?.createdAt.toISOString(), answered[i]!.createdAt.toISOString(), 'and answered with its stored time')
    }
    t.equal(await lastSeq(), size + 1, 'the counter moved by the number inserted')
  })

  t.test(`${form}: a clientId the sender already stored is skipped and the counter stays`, async (t) => {
    const { app, alice, roomId, lastSeq } = await family(t)
    const stored = await app.database.appendMessages(roomId, Array.from({ length: size }, (_v, i) => text(alice, `c${i}`, `original ${i}`)))
    const again = await app.database.appendMessages(roomId, Array.from({ length: size }, (_v, i) => text(alice, `c${i}`, `retry ${i}`)))
    t.same(again, stored.map(() => undefined), 'each answered as skipped')
    t.equal(await lastSeq(), size, 'no number taken')
    t.equal(await storedMessageCount(app), size, 'nothing stored twice')
    const [another] = await app.database.appendMessages(roomId, [text(alice, 'new', 'new')])
    t.equal(another?.seq, size + 1, 'the next message takes the next number: no gap')
  })

  t.test(`${form}: a room that does not exist is refused and nothing is stored`, async (t) => {
    const { app, alice, lastSeq } = await family(t)
    const missing = '00000000-0000-4000-8000-000000000000'
    await t.rejects(app.database.appendMessages(missing, Array.from({ length: size }, (_v, i) => text(alice, `c${i}`, 'lost'))), /does not exist/)
    t.equal(await storedMessageCount(app), 0, 'nothing stored')
    t.equal(await lastSeq(), 0, 'no room\'s counter moved')
  })
}
