import t from 'tap'
import webPush from 'web-push'
import { startFakePushService, type FakeDevice } from '../fixtures/fake-push-service.js'
import { PUSH_CONTACT } from './push-fixture.js'

// The fake stands in for a real push service and browser: it must refuse what they would.
async function post (device: FakeDevice, options: { keys?: FakeDevice['subscription']['keys'], vapid?: { publicKey: string, privateKey: string } }): Promise<number> {
  const vapid = options.vapid ?? webPush.generateVAPIDKeys()
  const request = webPush.generateRequestDetails({ endpoint: device.subscription.endpoint, keys: options.keys ?? device.subscription.keys }, '{"v":1}', {
    vapidDetails: { subject: PUSH_CONTACT, ...vapid },
    contentEncoding: 'aes128gcm'
  })
  const res = await fetch(device.subscription.endpoint, { method: 'POST', headers: { ...request.headers as Record<string, string>, 'Content-Length': String(request.body.length) }, body: new Uint8Array(request.body) })
  return res.status
}

t.test('the fake push service checks what a real one and the browser would', async (t) => {
  const fake = await startFakePushService(t)
  const phone = fake.device('phone')
  const other = fake.device('other')
  t.equal(await post(phone, {}), 201, 'a well-formed push is accepted')
  t.same(fake.pushesTo('phone').map((d) => d.payload), [{ v: 1 }], 'and decrypted')

  t.equal(await post(phone, { keys: other.subscription.keys }), 400, 'encrypted for another device: does not decrypt')
  const [a, b] = [webPush.generateVAPIDKeys(), webPush.generateVAPIDKeys()]
  t.equal(await post(phone, { vapid: { publicKey: a.publicKey, privateKey: b.privateKey } }), 400, 'signed with a key other than the one it names')
  t.equal(fake.rejected.length, 2)
  t.match(fake.rejected, [/Unsupported state or unable to authenticate data|auth/i, /signature/])
  t.equal(fake.pushesTo('phone').length, 1)
})
