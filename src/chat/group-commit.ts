import { setImmediate as nextTurn } from 'node:timers/promises'

/** What committing one batch produced: an answer per op (in order), and the events to announce (in order). */
export interface BatchOutcome<Result, Event> {
  results: Array<Result | Error>
  events: Event[]
}

export interface GroupCommitOptions<Op, Result, Event> {
  /** Writes one batch of a key's ops, atomically; rejects when nothing of it was written. */
  commit (key: string, ops: Op[]): Promise<BatchOutcome<Result, Event>>
  /** Ops of one class are committed together (a batch never mixes classes); consecutive ones only. */
  classOf (op: Op): string
  /** Each committed event, before any caller of its batch is answered (caches that readers must find current). */
  onCommit (event: Event): void
  /** Each committed event, after its callers are answered, in commit order per key. */
  emit (event: Event): void
  /** Large enough to absorb a burst in one commit, small enough to keep one statement reasonable. */
  maxBatch: number
  /**
   * True when a commit runs on this thread (PGlite) and holds up everything else while it does.
   * The next batch then goes to the database only once this batch's events are written out;
   * otherwise it goes before they are announced, and its commit overlaps their fan-out.
   */
  commitBlocksThread: boolean
}

interface Pending<Op, Result> {
  op: Op
  resolve (result: Result): void
  reject (err: unknown): void
}

class Failure {
  constructor (readonly cause: unknown) {}
}

/**
 * A queue per key (a room) with group commit: whatever queued while the previous batch was being
 * written is written by the next one, so a burst costs a few commits instead of one each. Batches
 * of a key are committed one after another; events are announced after commit in commit order,
 * so listeners see each key's log exactly as stored. Callers are answered only after their op is
 * committed. Knows nothing of what an op means.
 */
export function createGroupCommit<Op, Result, Event> (options: GroupCommitOptions<Op, Result, Event>) {
  const queues = new Map<string, Array<Pending<Op, Result>>>()
  const flushing = new Map<string, Promise<void>>()

  /** The queue's leading ops of one class, at most maxBatch. */
  function takeBatch (queue: Array<Pending<Op, Result>>): Array<Pending<Op, Result>> {
    if (queue.length === 0) return []
    const first = options.classOf(queue[0]!.op)
    let n = 1
    while (n < queue.length && n < options.maxBatch && options.classOf(queue[n]!.op) === first) n++
    return queue.splice(0, n)
  }

  /** Commits a batch; resolves with its outcome or its Failure, never rejects. */
  function commit (key: string, batch: Array<Pending<Op, Result>>): Promise<BatchOutcome<Result, Event> | Failure> {
    return options.commit(key, batch.map((p) => p.op)).catch((err: unknown) => new Failure(err))
  }

  async function flush (key: string): Promise<void> {
    const queue = queues.get(key)!
    let batch: Array<Pending<Op, Result>> = []
    let committing: Promise<BatchOutcome<Result, Event> | Failure> | undefined
    /** Sends the queue's next batch to the database; false when the queue is empty. */
    const startNext = (): boolean => {
      batch = takeBatch(queue)
      if (batch.length === 0) return false
      committing = commit(key, batch)
      return true
    }
    startNext() // append queued at least one op before scheduling this flush
    for (;;) {
      const outcome = await committing!
      if (outcome instanceof Failure) {
        for (const p of batch) p.reject(outcome.cause)
      } else {
        // Before anyone is answered: whoever reads after an answer must see its change.
        for (const event of outcome.events) options.onCommit(event)
        outcome.results.forEach((result, i) => {
          if (result instanceof Error) batch[i]!.reject(result)
          else batch[i]!.resolve(result)
        })
        // Callers hear of their commit first (a WebSocket sender gets its ack before the fan-out).
        await nextTurn()
      }
      // Whichever goes first, the next batch's results are handled only after these events are
      // out, so listeners still see every event in order.
      const started = !options.commitBlocksThread && startNext()
      if (!(outcome instanceof Failure)) for (const event of outcome.events) options.emit(event)
      if (!started) {
        // The sockets written to are uncorked at the end of this tick (src/realtime/registry.ts):
        // a turn of the event loop later the deliveries are on their way, and the frames read in
        // that turn join the next batch.
        if (options.commitBlocksThread) await nextTurn()
        if (!startNext()) break
      }
    }
    queues.delete(key)
    flushing.delete(key)
  }

  return {
    /** Queues an op for the key and resolves once it is committed. */
    append (key: string, op: Op): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        let queue = queues.get(key)
        if (queue === undefined) {
          queue = []
          queues.set(key, queue)
        }
        queue.push({ op, resolve, reject })
        // The flush starts once this turn's I/O callbacks have run: ops that arrived together
        // (several sockets readable at once) go into one commit instead of queueing behind each other.
        if (!flushing.has(key)) flushing.set(key, nextTurn().then(() => flush(key)))
      })
    },

    /** Resolves when no key has anything queued or committing (graceful shutdown; history reads let writes go first). */
    async drain (): Promise<void> {
      while (flushing.size > 0) await Promise.all(flushing.values())
    }
  }
}

export type GroupCommit<Op, Result> = Pick<ReturnType<typeof createGroupCommit<Op, Result, unknown>>, 'append' | 'drain'>
