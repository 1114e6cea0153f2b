import t from 'tap'
import { bearer } from '../helper.js'
import { eventually } from '../fixtures/eventually.js'
import { pushFamily, sendMessage, subscribedDevice, subscriptionCount } from './push-fixture.js'

t.test('a push service saying the subscription is gone (404, 410) deletes it', async (t) => {
  for (const status of [404, 410]) {
    const family = await pushFamily(t, ['alice', 'bob'])
    const device = await subscribedDevice(family, 'bob')
    device.answers.push(status)
    await sendMessage(family.app, family.users.alice!.token, { roomId: family.familyRoomId, body: 'hello?' })
    await family.fake.waitFor('bob')
    await family.app.push.service().idle()
    t.equal(await subscriptionCount(family.app), 0, `${status}: deleted`)
    await sendMessage(family.app, family.users.alice!.token, { roomId: family.familyRoomId, body: 'again' })
    await family.app.push.service().idle()
    t.equal(family.fake.pushesTo('bob').length, 1, `${status}: nothing more is sent there`)
  }
})

t.test('429 and 5xx are retried once; 401 and 403 keep the subscription and are logged', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob', 'carol', 'dave', 'erin'], { pushSender: { retryDelayMs: 10 } })
  const { app, fake } = family
  const answers: Record<string, Array<number | 'hang'>> = { bob: [503], carol: [429], dave: [500, 502], erin: [403] }
  const devices = []
  for (const [name, statuses] of Object.entries(answers)) {
    const device = await subscribedDevice(family, name)
    device.answers.push(...statuses)
    devices.push(device)
  }
  await sendMessage(app, family.users.alice!.token, { roomId: family.familyRoomId, body: 'are you there' })
  t.same((await fake.waitFor('bob', 2)).map((d) => d.status), [503, 201], 'retried after a 503, then delivered')
  t.same((await fake.waitFor('carol', 2)).map((d) => d.status), [429, 201], 'retried after a 429 (Retry-After: 0)')
  await fake.waitFor('dave', 2)
  await fake.waitFor('erin')
  await app.push.service().idle()
  t.same(fake.pushesTo('dave').map((d) => d.status), [500, 502], 'once, not forever')
  t.same(fake.pushesTo('erin').map((d) => d.status), [403], 'a refusal is not retried')
  t.equal(await subscriptionCount(app), 4, 'every subscription kept')
  t.match(family.log(), /refused the server's VAPID signature; subscription kept/)
  t.match(family.log(), /"status":502/)
  for (const device of devices) {
    t.notOk(family.log().includes(new URL(device.subscription.endpoint).pathname), 'the log names the push service\'s host, never a device\'s endpoint')
  }
  t.same(fake.rejected, [])
})

t.test('a push service that hangs does not hold up messaging, and its requests time out', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob'], { pushSender: { timeoutMs: 200 } })
  const device = await subscribedDevice(family, 'bob')
  device.answers.push('hang', 'hang', 'hang')
  for (let i = 0; i < 3; i++) {
    const sent = await sendMessage(family.app, family.users.alice!.token, { roomId: family.familyRoomId, body: `message ${i}` })
    t.equal(sent.seq, i + 1, 'sent and answered while the push service hangs')
    // Each in a round of its own (messages that arrive together share one push).
    await eventually(`push ${i + 1} reached the service`, async () => family.fake.requests === i + 1 ? true : undefined)
  }
  const rooms = (await family.app.inject({ url: '/api/rooms', headers: bearer(family.users.bob!.token) })).json().rooms
  t.equal(rooms[0].unread, 3, 'bob can read them all')
  await family.app.push.service().idle()
  t.equal(family.fake.requests, 3, 'given up on, not retried')
  t.match(family.log(), /push service unreachable; push dropped/)
  t.match(family.log(), /TimeoutError/)
})

t.test('the push queue is bounded: past it, pushes are dropped with a warning and messages are not', async (t) => {
  const family = await pushFamily(t, ['alice', 'bob', 'carol', 'dave'], { pushSender: { concurrency: 1, queueLimit: 1, timeoutMs: 10_000 } })
  for (const name of ['bob', 'carol', 'dave']) (await subscribedDevice(family, name)).answers.push('hang')
  // Three pushes for one message: one in flight (hanging), one waiting, and no room for the third.
  await sendMessage(family.app, family.users.alice!.token, { roomId: family.familyRoomId, body: 'hello, all' })
  await eventually('a dropped push is logged', async () => /push queue full; pushes dropped/.test(family.log()) ? true : undefined)
  await eventually('the first push is in flight', async () => family.fake.requests >= 1 ? true : undefined)
  const sent = await sendMessage(family.app, family.users.alice!.token, { roomId: family.familyRoomId, body: 'still here' })
  t.equal(sent.seq, 2, 'messaging goes on')
})
