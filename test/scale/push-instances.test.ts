import t from 'tap'
import { cluster } from '../fixtures/cluster.js'
import { eventually } from '../fixtures/eventually.js'
import { startFakePushService, type FakePushService } from '../fixtures/fake-push-service.js'
import { openSocketAt } from '../fixtures/ws-client.js'
import type { ServerProcess } from '../fixtures/processes.js'
import { pushEnv } from '../push/push-fixture.js'

async function call (server: ServerProcess, token: string, method: string, path: string, body?: object): Promise<{ status: number, json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.text()
  return { status: res.status, json: text === '' ? {} : JSON.parse(text) as Record<string, unknown> }
}

/**
 * Everything pushed before now has arrived: each instance sends the device a test push, and
 * those arrive after whatever the instances queued earlier for it.
 */
async function settle (fake: FakePushService, device: string, instances: ServerProcess[], token: string): Promise<void> {
  const tests = (): number => fake.pushesTo(device).filter((d) => d.payload.messageId === null).length
  const expected = tests() + instances.length
  for (const server of instances) await call(server, token, 'POST', '/api/push/test')
  await eventually('the test pushes of every instance', async () => tests() >= expected ? true : undefined)
}

const messagePushes = (fake: FakePushService, device: string) => fake.pushesTo(device).map((d) => d.payload.messageId).filter((id) => id !== null)

if (process.env.DATABASE_URL === undefined) {
  t.pass('several instances need PostgreSQL: run with DATABASE_URL (CI does)')
} else {
  t.test('two instances with Redis: one push per device per message, and a socket in the foreground anywhere silences it', async (t) => {
    const fake = await startFakePushService(t)
    const { instances, tokens } = await cluster(t, 2, ['alice', 'bob'], pushEnv(fake))
    const [a, b] = instances as [ServerProcess, ServerProcess]
    const rooms = (await call(a, tokens.alice!, 'GET', '/api/rooms')).json.rooms as Array<{ id: string }>
    const roomId = rooms[0]!.id
    const phone = fake.device('bob')
    t.equal((await call(b, tokens.bob!, 'PUT', '/api/push/subscription', phone.subscription)).status, 204)
    const keyA = (await call(a, tokens.bob!, 'GET', '/api/push/config')).json.publicKey
    t.equal((await call(b, tokens.bob!, 'GET', '/api/push/config')).json.publicKey, keyA, 'both instances sign with the one stored key')

    const sent: string[] = []
    for (let i = 0; i < 6; i++) {
      const { json } = await call(instances[i % 2]!, tokens.alice!, 'POST', '/api/messages', { roomId, body: `message ${i}` })
      sent.push((json.message as { id: string }).id)
      // One at a time: messages arriving together would share one push.
      await fake.waitFor('bob', sent.length)
    }
    await settle(fake, 'bob', instances, tokens.bob!)
    t.same(messagePushes(fake, 'bob').sort(), [...sent].sort(), 'each message once, from whichever instance committed it')
    t.same(fake.rejected, [])

    // bob opens the app on instance b; messages committed on a are not pushed to him.
    const socket = await openSocketAt(b.url.replace('http:', 'ws:'), tokens.bob!)
    const whileOpen = (await call(a, tokens.alice!, 'POST', '/api/messages', { roomId, body: 'you are looking' })).json.message as { id: string }
    await settle(fake, 'bob', instances, tokens.bob!)
    t.notOk(messagePushes(fake, 'bob').includes(whileOpen.id), 'not pushed while his app is in the foreground on the other instance')

    socket.send(JSON.stringify({ type: 'visibility', data: { visible: false } }))
    await socket.request('ping')
    const hidden = (await call(a, tokens.alice!, 'POST', '/api/messages', { roomId, body: 'now you are not' })).json.message as { id: string }
    await fake.waitFor('bob', fake.pushesTo('bob').length + 1)
    t.equal(messagePushes(fake, 'bob').at(-1), hidden.id, 'pushed once the app is in the background')
    await socket.close()
  })
}
