import t from 'tap'
import { createSemaphore } from '../../src/semaphore.js'

t.test('runs at most `concurrency` tasks at once and refuses past the waiting bound', async (t) => {
  const run = createSemaphore(2, 1)
  let active = 0
  let peak = 0
  const gates: Array<() => void> = []
  const task = () => run(async () => {
    active++
    peak = Math.max(peak, active)
    await new Promise<void>((resolve) => gates.push(resolve))
    active--
    return 'done'
  })
  const first = task()
  const second = task()
  const third = task()
  await t.rejects(task(), { code: 'rate_limited', statusCode: 429 }, 'a fourth is refused, not queued')
  t.equal(gates.length, 2, 'only two started')
  gates.shift()!()
  t.equal(await first, 'done')
  // The waiting one took the freed slot.
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(gates.length, 2)
  for (const open of gates.splice(0)) open()
  t.same(await Promise.all([second, third]), ['done', 'done'])
  t.equal(peak, 2)
})

t.test('a failing task frees its slot', async (t) => {
  const run = createSemaphore(1, 0)
  await t.rejects(run(async () => { throw new Error('decode failed') }), /decode failed/)
  t.equal(await run(async () => 'next'), 'next')
})
