import t, { type Test } from 'tap'
import type { Db } from '../../db/types.js'
import { createNotifier, ROUND_MS } from '../../src/push/notifier.js'
import type { NewMessageFacts } from '../../src/push/payload.js'

/** A notifier whose every database lookup is recorded, then fails: only when lookups start matters here. */
function recordingNotifier (t: Test) {
  const order: string[] = []
  const lookups: number[] = []
  const db = new Proxy({}, {
    get () {
      order.push('lookup')
      lookups.push(performance.now())
      throw new Error('no database here')
    }
  }) as Db
  const errors: string[] = []
  const notifier = createNotifier({
    db,
    inForeground: async () => new Set(),
    push: () => t.fail('nothing is pushed'),
    log: { warn: () => {}, error: (_obj, msg) => { errors.push(msg) } }
  })
  t.teardown(() => notifier.close())
  return { notifier, order, lookups, errors }
}

const message = (seq: number): NewMessageFacts => ({ id: `m${seq}`, roomId: 'r1', senderId: 'u1', seq, body: 'hello', imageKey: null })

t.test("a new message's lookups wait for the tick that announced it to end", async (t) => {
  const { notifier, order, errors } = recordingNotifier(t)
  notifier.add(message(1))
  // Where the registry uncorks the sockets it wrote the message's deliveries to.
  process.nextTick(() => order.push('deliveries written'))
  await notifier.idle()
  t.same([...new Set(order)], ['deliveries written', 'lookup'])
  t.same(errors, ['could not work out who to notify'], 'the failed lookup was logged, not thrown')
})

t.test('a message after a finished round waits for the next round', async (t) => {
  const { notifier, lookups } = recordingNotifier(t)
  notifier.add(message(1))
  await notifier.idle()
  const first = lookups.at(-1)!
  notifier.add(message(2))
  await notifier.idle()
  // Timers may fire up to a millisecond early by the monotonic clock.
  t.ok(lookups.at(-1)! - first >= ROUND_MS - 2, `the second round began ${(lookups.at(-1)! - first).toFixed(1)} ms after the first`)
})
