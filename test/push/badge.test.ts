import t from 'tap'
import { BADGE_CAP, totalUnread } from '../../db/queries/push.js'
import { bearer } from '../helper.js'
import { pushFamily, sendMessage } from './push-fixture.js'

t.test('the badge counts others\' messages after the read marker, not deleted ones, up to BADGE_CAP per room', async (t) => {
  const { app, users, familyRoomId } = await pushFamily(t, ['alice', 'bob', 'carol'])
  const badges = async () => Object.fromEntries(await totalUnread(app.database.db, [users.alice!.id, users.bob!.id, users.carol!.id]))
  const send = (user: string, body: string) => sendMessage(app, users[user]!.token, { roomId: familyRoomId, body })

  t.same(await badges(), { [users.alice!.id]: 0, [users.bob!.id]: 0, [users.carol!.id]: 0 })
  await send('alice', 'one')
  const gone = await send('alice', 'two')
  await send('carol', 'three')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/messages/${String(gone.id)}`, headers: bearer(users.alice!.token) })).statusCode, 200)
  t.same(await badges(), { [users.alice!.id]: 1, [users.bob!.id]: 2, [users.carol!.id]: 1 }, 'own and deleted messages are not unread')

  const read = await app.inject({ method: 'POST', url: `/api/rooms/${familyRoomId}/read`, headers: bearer(users.bob!.token), payload: { seq: 3 } })
  t.equal(read.statusCode, 204)
  t.equal((await badges())[users.bob!.id], 0, 'reading moves the marker past them')

  for (let i = 0; i < BADGE_CAP + 20; i++) await send('alice', `flood ${i}`)
  t.equal((await badges())[users.bob!.id], BADGE_CAP, 'a badge stops counting at BADGE_CAP ("99+")')
})
