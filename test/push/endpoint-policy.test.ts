import t from 'tap'
import { isAllowedEndpoint } from '../../src/push/endpoint-policy.js'

const hosts = ['fcm.googleapis.com', '.push.apple.com', '127.0.0.1']

t.test('only https: to an allowed host, or http: to a listed loopback host', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['https://fcm.googleapis.com/fcm/send/abc', true],
    ['https://FCM.googleapis.com/fcm/send/abc', true],
    ['https://web.push.apple.com/QGx', true],
    ['https://push.apple.com/QGx', false],
    ['https://evilpush.apple.com.example/x', false],
    ['https://fcm.googleapis.com.evil.example/x', false],
    ['http://fcm.googleapis.com/fcm/send/abc', false],
    ['http://127.0.0.1:9999/push/1', true],
    ['https://127.0.0.1:9999/push/1', true],
    ['http://localhost:9999/push/1', false],
    ['http://[::1]:9999/push/1', false],
    ['https://user:pw@fcm.googleapis.com/x', false],
    ['ftp://fcm.googleapis.com/x', false],
    ['file:///etc/passwd', false],
    ['not a url', false]
  ]
  for (const [endpoint, allowed] of cases) t.equal(isAllowedEndpoint(endpoint, hosts), allowed, endpoint)
})
