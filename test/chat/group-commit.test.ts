import t from 'tap'
import { createGroupCommit } from '../../src/chat/group-commit.js'

interface Op { kind: 'a' | 'b', n: number }

/**
 * A scheduler over a commit the test controls: each batch waits until the test releases it. Each
 * event is "written" at the end of the tick it was announced in, as the registry's corked sockets are.
 */
function harness (commitBlocksThread = false) {
  const batches: Array<{ key: string, ops: Op[], release (fail?: Error): void }> = []
  const log: string[] = []
  let waiter: (() => void) | undefined
  const queue = createGroupCommit<Op, number, string>({
    classOf: (op) => op.kind,
    maxBatch: 3,
    commitBlocksThread,
    commit: (key, ops) => new Promise((resolve, reject) => {
      log.push(`start ${ops.map((op) => op.n).join(',')}`)
      batches.push({
        key,
        ops,
        release: (fail) => fail === undefined
          ? resolve({ results: ops.map((op) => op.n < 0 ? new Error(`refused ${op.n}`) : op.n * 10), events: ops.filter((op) => op.n >= 0).map((op) => `${key}:${op.n}`) })
          : reject(fail)
      })
      waiter?.()
    }),
    onCommit: (event) => log.push(`commit ${event}`),
    emit: (event) => {
      log.push(`emit ${event}`)
      process.nextTick(() => log.push(`written ${event}`))
    }
  })
  /** Resolves once `count` batches have been handed to commit. */
  const batchesStarted = async (count: number): Promise<void> => {
    while (batches.length < count) await new Promise<void>((resolve) => { waiter = resolve })
  }
  return { queue, batches, log, batchesStarted }
}

t.test('what queues while a batch commits goes into the next batch, at most maxBatch, in order', async (t) => {
  const { queue, batches, log, batchesStarted } = harness()
  const answers: Array<Promise<number>> = [queue.append('r', { kind: 'a', n: 1 })]
  await batchesStarted(1)
  for (let n = 2; n <= 6; n++) answers.push(queue.append('r', { kind: 'a', n }))
  batches[0]!.release()
  await batchesStarted(2)
  t.same(batches.map((b) => b.ops.map((op) => op.n)), [[1], [2, 3, 4]], 'the queue drained in batches of at most 3')
  batches[1]!.release()
  await batchesStarted(3)
  batches[2]!.release()
  t.same(await Promise.all(answers), [10, 20, 30, 40, 50, 60], 'each caller gets its own result')
  await queue.drain()
  t.same(log.filter((l) => l.startsWith('emit')), [1, 2, 3, 4, 5, 6].map((n) => `emit r:${n}`), 'events announced in commit order')
})

t.test('a batch never mixes classes of op', async (t) => {
  const { queue, batches, batchesStarted } = harness()
  const first = queue.append('r', { kind: 'a', n: 1 })
  await batchesStarted(1)
  const rest = [queue.append('r', { kind: 'a', n: 2 }), queue.append('r', { kind: 'b', n: 3 }), queue.append('r', { kind: 'a', n: 4 })]
  for (let i = 0; i < 4; i++) {
    await batchesStarted(i + 1)
    batches[i]!.release()
  }
  await Promise.all([first, ...rest])
  t.same(batches.map((b) => b.ops.map((op) => `${op.kind}${op.n}`)), [['a1'], ['a2'], ['b3'], ['a4']])
})

t.test('a caller is answered after onCommit and before emit; a refused op rejects alone', async (t) => {
  const { queue, batches, log, batchesStarted } = harness()
  const ok = queue.append('r', { kind: 'a', n: 1 }).then((v) => { log.push(`answer ${v}`); return v })
  const refused = queue.append('r', { kind: 'a', n: -1 })
  await batchesStarted(1)
  batches[0]!.release()
  await t.rejects(refused, /refused -1/)
  t.equal(await ok, 10)
  await queue.drain()
  t.same(log.filter((l) => !l.startsWith('written')), ['start 1,-1', 'commit r:1', 'answer 10', 'emit r:1'])
})

t.test('a failed commit rejects its batch only; the next batch still commits; keys are independent', async (t) => {
  const { queue, batches, log, batchesStarted } = harness()
  const lost = queue.append('r', { kind: 'a', n: 1 })
  const other = queue.append('s', { kind: 'a', n: 7 })
  await batchesStarted(2)
  const next = queue.append('r', { kind: 'a', n: 2 })
  batches.find((b) => b.key === 'r')!.release(new Error('database down'))
  await t.rejects(lost, /database down/)
  await batchesStarted(3)
  batches[2]!.release()
  batches.find((b) => b.key === 's')!.release()
  t.equal(await next, 20)
  t.equal(await other, 70)
  await queue.drain()
  t.notOk(log.includes('emit r:1'), 'nothing announced of the failed batch')
  t.ok(log.includes('emit r:2') && log.includes('emit s:7'))
})

t.test('the next batch starts before the fan-out when the database is elsewhere, after it is written when it is on this thread', async (t) => {
  for (const commitBlocksThread of [false, true]) {
    const { queue, batches, log, batchesStarted } = harness(commitBlocksThread)
    const first = queue.append('r', { kind: 'a', n: 1 })
    await batchesStarted(1)
    const second = queue.append('r', { kind: 'a', n: 2 })
    batches[0]!.release()
    await batchesStarted(2)
    batches[1]!.release()
    await Promise.all([first, second])
    await queue.drain()
    await new Promise((resolve) => setImmediate(resolve)) // the last tick's writes
    t.same(log.filter((l) => !l.startsWith('commit')), commitBlocksThread
      ? ['start 1', 'emit r:1', 'written r:1', 'start 2', 'emit r:2', 'written r:2']
      : ['start 1', 'start 2', 'emit r:1', 'written r:1', 'emit r:2', 'written r:2'], `commitBlocksThread: ${commitBlocksThread}`)
  }
})
