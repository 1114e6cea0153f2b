import t from 'tap'
import { createReadBudget } from '../../src/chat/read-budget.js'

t.test('one member\'s reads run one at a time, wait when over budget, and are refused past the queue', async (t) => {
  const budget = createReadBudget({ bytesPerSecond: 100_000, burst: 1000, maxWaiting: 3 })
  let running = 0
  let peak = 0
  const order: number[] = []
  const read = (i: number, bytes: number) => async () => {
    running++
    peak = Math.max(peak, running)
    await new Promise((resolve) => setImmediate(resolve))
    running--
    order.push(i)
    return { result: i, bytes }
  }
  const reads = [budget.run('alice', read(1, 5000)), budget.run('alice', read(2, 10)), budget.run('alice', read(3, 10))]
  await t.rejects(budget.run('alice', read(4, 10)), { code: 'rate_limited', statusCode: 429 }, 'a fourth waiting read is refused')
  t.same(await Promise.all(reads), [1, 2, 3])
  t.same(order, [1, 2, 3], 'in the order asked')
  t.equal(peak, 1, 'never two at once')

  // Another member has a budget of their own, whatever alice spent.
  t.equal(await budget.run('bob', read(5, 10)), 5)
})

t.test('a member in debt waits for the refill, then is served', async (t) => {
  const budget = createReadBudget({ bytesPerSecond: 10_000, burst: 1000, maxWaiting: 4 })
  await budget.run('alice', async () => ({ result: null, bytes: 3000 })) // 2000 in debt: 200 ms to refill
  let served = false
  const waiting = budget.run('alice', async () => { served = true; return { result: null, bytes: 1 } })
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(served, 'not while in debt')
  await waiting
  t.ok(served, 'served once refilled')
})
