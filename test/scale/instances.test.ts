import t from 'tap'
import { CLOSE } from '../../src/realtime/envelope.js'
import { eventually } from '../fixtures/eventually.js'
import type { ServerProcess } from '../fixtures/processes.js'
import { cluster } from '../fixtures/cluster.js'
import { openSocketAt, type Frame } from '../fixtures/ws-client.js'

const PG = process.env.DATABASE_URL
if (PG === undefined) {
  t.pass('several instances need PostgreSQL: run with DATABASE_URL (CI does)')
} else {
  const wsOf = (server: ServerProcess) => server.url.replace('http:', 'ws:')
  const seqs = (frames: Frame[]) => frames.filter((f) => f.type === 'message.new').map((f) => f.data.message!.eventSeq as number)

  t.test('three instances behave as one: delivery across them, in eventSeq order, once', async (t) => {
    const { instances, tokens } = await cluster(t, 3, ['alice', 'bob', 'carol'])
    const sockets = await Promise.all(['alice', 'bob', 'carol'].map((u, i) => openSocketAt(wsOf(instances[i]!), tokens[u]!)))
    const roomId = (sockets[0]!.ready.data.rooms as Array<{ id: string }>)[0]!.id
    const PER = 40
    const acks = await Promise.all(sockets.map((s, i) => Promise.all(Array.from({ length: PER }, (_, n) =>
      s.request('message.send', { roomId, body: `from instance ${i}: ${n}`, clientId: `${i}-${n}` })))))
    t.ok(acks.flat().every((a) => a.type === 'ack'))
    const total = PER * 3
    for (const socket of sockets) {
      await socket.next('message.new', (f) => f.data.message!.eventSeq === total)
      t.same(seqs(socket.frames), Array.from({ length: total }, (_, i) => i + 1), 'every event, in order, once')
    }
    await Promise.all(sockets.map((s) => s.close()))
  })

  t.test('reactions on two instances reach everyone in eventSeq order, and the change feed agrees', async (t) => {
    const { instances, tokens, users } = await cluster(t, 2, ['alice', 'bob'])
    const [a, b] = instances as [ServerProcess, ServerProcess]
    const alice = await openSocketAt(wsOf(a), tokens.alice!)
    const bob = await openSocketAt(wsOf(b), tokens.bob!)
    const roomId = (alice.ready.data.rooms as Array<{ id: string }>)[0]!.id
    const sent = await alice.request('message.send', { roomId, body: 'who is in for pizza?', clientId: 'pizza' })
    const messageId = sent.data.message!.id as string
    // Each member changes their reaction several times (each change once the last is acked, as a
    // person taps), both members at once, through different instances.
    const EMOJI = ['👍', '🍕', '❤️', '😂', '🎉']
    const reactInTurn = async (socket: typeof alice) => {
      const answers = []
      for (const emoji of EMOJI) answers.push(await socket.request('message.react', { messageId, emoji }))
      return answers
    }
    const acks = await Promise.all([alice, bob].map(reactInTurn))
    t.ok(acks.flat().every((ack) => ack.type === 'ack'))
    const last = 1 + EMOJI.length * 2
    const updates = (socket: typeof alice) => socket.frames.filter((f) => f.type === 'message.updated').map((f) => f.data.message!.eventSeq as number)
    // Both ended on 🎉: whoever's 🎉 was committed last reacted with it second.
    const aliceLast = acks[0]!.at(-1)!.data.message!.eventSeq === last
    const expected = { '🎉': aliceLast ? [users.bob, users.alice] : [users.alice, users.bob] }
    const finals = []
    for (const socket of [alice, bob]) {
      finals.push((await socket.next('message.updated', (f) => f.data.message!.eventSeq === last)).data.message!)
      t.same(updates(socket), Array.from({ length: EMOJI.length * 2 }, (_, i) => i + 2), 'every reaction event, in order, once')
    }
    t.same(finals.map((m) => m.reactions), [expected, expected])
    const feed = await bob.request('sync', { roomId, since: 1 })
    t.same(feed.data.messages, [finals[0]], 'the change feed ends where the events did')
    await Promise.all([alice.close(), bob.close()])
  })

  t.test('a new display name reaches the room mates connected to another instance', async (t) => {
    const { instances, tokens, users } = await cluster(t, 2, ['alice', 'bob'])
    const [a, b] = instances as [ServerProcess, ServerProcess]
    const bob = await openSocketAt(wsOf(b), tokens.bob!)
    const res = await fetch(`${a.url}/api/users/me`, { method: 'PATCH', headers: { authorization: `Bearer ${tokens.alice!}`, 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Grandma' }) })
    t.equal(res.status, 200)
    t.match((await bob.next('user.updated')).data.user, { id: users.alice, displayName: 'Grandma' })
    await bob.close()
  })

  t.test('logout on one instance closes the socket on another, and the token dies everywhere at once', async (t) => {
    const { instances, tokens } = await cluster(t, 2, ['alice'])
    const [a, b] = instances as [ServerProcess, ServerProcess]
    const socket = await openSocketAt(wsOf(b), tokens.alice!)
    const me = () => fetch(`${b.url}/api/auth/me`, { headers: { authorization: `Bearer ${tokens.alice!}` } }).then((r) => r.status)
    t.equal(await me(), 200, 'cached on b now')
    t.equal((await fetch(`${a.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${tokens.alice!}` } })).status, 204)
    t.equal((await socket.closed).code, CLOSE.unauthorized)
    t.equal(await me(), 401, 'b forgot the session too')
  })

  t.test('presence spans instances', async (t) => {
    const { instances, tokens, users } = await cluster(t, 2, ['alice', 'bob'])
    const [a, b] = instances as [ServerProcess, ServerProcess]
    const watcher = await openSocketAt(wsOf(a), tokens.bob!)
    const alice = await openSocketAt(wsOf(b), tokens.alice!)
    t.match((await watcher.next('presence', (f) => f.data.userId === users.alice)).data, { online: true })
    const list = await (await fetch(`${a.url}/api/users`, { headers: { authorization: `Bearer ${tokens.bob!}` } })).json() as { users: Array<{ username: string, online: boolean }> }
    t.same(list.users.map((u) => [u.username, u.online]), [['alice', true], ['bob', true]], 'a knows alice is online on b')
    await alice.close()
    t.match((await watcher.next('presence', (f) => f.data.userId === users.alice)).data, { online: false })
    await watcher.close()
  })

  t.test('a Redis outage: local clients keep going, ready says degraded, and everything recovers by itself', async (t) => {
    const { redis, instances, tokens } = await cluster(t, 2, ['alice', 'bob'])
    const [a, b] = instances as [ServerProcess, ServerProcess]
    const alice = await openSocketAt(wsOf(a), tokens.alice!)
    let bob = await openSocketAt(wsOf(b), tokens.bob!)
    const roomId = (alice.ready.data.rooms as Array<{ id: string }>)[0]!.id
    await alice.request('message.send', { roomId, body: 'before', clientId: 'o1' })
    await bob.next('message.new')

    await redis.stop()
    // ioredis notices the outage on its own time: await the state, bounded, rather than sample it once.
    const degraded = await eventually('/ready reports Redis down', async () => {
      const res = await fetch(`${a.url}/ready`)
      const body = await res.json() as { status: string }
      return body.status === 'degraded' ? { status: res.status, body } : undefined
    })
    t.equal(degraded.status, 200)
    t.match(degraded.body, { status: 'degraded', database: 'ok', redis: 'down' })
    const during = await alice.request('message.send', { roomId, body: 'during the outage', clientId: 'o2' })
    t.equal(during.type, 'ack', 'acked while Redis is down')
    t.equal((await alice.next('message.new', (f) => f.data.message!.body === 'during the outage')).type, 'message.new', 'local delivery continues')
    const http = await fetch(`${b.url}/api/messages`, { headers: { authorization: `Bearer ${tokens.bob!}` } })
    t.equal(http.status, 200, 'the HTTP API keeps serving')

    await redis.start()
    await Promise.all([a.waitForLog(/redis fan-out connected/), b.waitForLog(/redis fan-out connected/)])
    // Bob missed the cross-instance event: a reconnect and a sync give him exactly the acked set.
    await bob.close()
    bob = await openSocketAt(wsOf(b), tokens.bob!)
    const page = await bob.request('sync', { roomId, since: 0 })
    t.same((page.data.messages as Array<{ body: string }>).map((m) => m.body), ['before', 'during the outage'], 'no acked message lost')
    const after = await alice.request('message.send', { roomId, body: 'after', clientId: 'o3' })
    t.equal(after.type, 'ack')
    t.equal((await bob.next('message.new', (f) => f.data.message!.body === 'after')).data.message!.eventSeq, 3, 'cross-instance delivery is back')
    await Promise.all([alice.close(), bob.close()])
  })
}
