import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import t from 'tap'
import type { FanoutMessage } from '../../src/realtime/fanout.js'
import { CHANNEL, createRedisFanout } from '../../src/realtime/redis-fanout.js'
import type { TestContext } from '../helper.js'
import { startPrivateRedis } from '../fixtures/redis-server.js'

const quiet = { warn () {}, info () {} }
const event = (roomId: string, seq: number): FanoutMessage => ({ kind: 'room', roomId, seq, frame: `{"seq":${seq}}` })

/**
 * One instance's fan-out over a private Redis, and another instance's publisher beside it: events
 * are published in the order given, and what the instance delivers is read once the last has come.
 */
async function deliveredAfter (t: TestContext, baselines: Map<string, number>, published: FanoutMessage[]): Promise<number[]> {
  const redis = await startPrivateRedis(t)
  const fanout = createRedisFanout({ url: redis.url, log: quiet, baselines: async () => baselines, reorderWindowMs: 5000 })
  t.teardown(() => fanout.close())
  const seqs: number[] = []
  const last = published.at(-1) as { seq: number }
  const done = new Promise<void>((resolve) => {
    fanout.subscribe((message) => {
      if (message.kind !== 'room') return
      seqs.push(message.seq!)
      if (message.seq === last.seq) resolve()
    })
  })
  await fanout.ready()
  const other = new Redis(redis.url)
  t.teardown(() => other.disconnect())
  for (const message of published) await other.publish(CHANNEL, JSON.stringify({ origin: randomUUID(), message }))
  await done
  return seqs
}

t.test('an event that crossed a later one on the way from another instance is delivered first, once', async (t) => {
  const roomId = randomUUID()
  // Committed 7 then 8 on two instances; 8's instance published first.
  t.same(await deliveredAfter(t, new Map([[roomId, 6]]), [event(roomId, 8), event(roomId, 7), event(roomId, 9)]), [7, 8, 9])
})

t.test('a room created after the instance started: its events from the first, in order', async (t) => {
  const roomId = randomUUID()
  t.same(await deliveredAfter(t, new Map(), [event(roomId, 2), event(roomId, 1), event(roomId, 3)]), [1, 2, 3])
})

t.test('events committed before the instance started are not delivered again', async (t) => {
  const roomId = randomUUID()
  t.same(await deliveredAfter(t, new Map([[roomId, 5]]), [event(roomId, 4), event(roomId, 5), event(roomId, 6)]), [6])
})
