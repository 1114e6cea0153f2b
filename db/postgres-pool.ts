import postgres from 'postgres'

export interface PostgresPoolOptions {
  /**
   * A query or transaction still unanswered after this long is given up (the caller gets an error,
   * answered 503) and the pool is replaced. Unset: a plain postgres-js client.
   */
  deadlineMs?: number
  /** Told each time the pool is replaced, for the log. */
  onReplaced?: () => void
}

/**
 * What drizzle-orm's postgres-js driver uses of a client, read from its source
 * (drizzle-orm/postgres-js/driver.js and session.js) for the versions pinned in package.json,
 * postgres 3.4.9 and drizzle-orm 0.45.4, on which this pool and test/db/postgres-pool.test.ts were
 * proven: `options` (it installs its parsers and serializers there, once), `unsafe` for every
 * query (awaited, or `.values()`), and `begin` for transactions, whose own client is postgres-js's.
 * The pool hands drizzle exactly these three and nothing else, so a drizzle that starts to use
 * another member fails at once on `undefined` rather than silently bypassing the deadline;
 * test/db/postgres-pool.test.ts checks the versions have not moved without a fresh look.
 */
export type DrizzleFacingClient = Pick<postgres.Sql, 'options' | 'unsafe' | 'begin'>

export interface PostgresPool {
  /** For drizzle: every `unsafe` and `begin` goes to whichever client is current. */
  sql: postgres.Sql
  end (): Promise<void>
}

/** The versions the workarounds below were proven on (see DrizzleFacingClient). */
export const PROVEN_ON = { postgres: '3.4.9', 'drizzle-orm': '0.45.4' } as const

const poolOptions: postgres.Options<Record<string, postgres.PostgresType>> = {
  max: 10,
  onnotice: () => {},
  // Fail fast instead of queueing requests behind a database that is down.
  connect_timeout: 5,
  idle_timeout: 60
}

const timedOut = (): Error => Object.assign(new Error('the database did not answer in time'), { code: 'CONNECT_TIMEOUT' })

function withinDeadline<T> (work: PromiseLike<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout()
      reject(timedOut())
    }, ms)
    timer.unref()
    work.then((value) => { clearTimeout(timer); resolve(value) }, (err: unknown) => { clearTimeout(timer); reject(err) })
  })
}

type TransactionBody = (tx: postgres.TransactionSql) => unknown

/**
 * Asks the database to cancel a query. postgres-js's `query.cancel()` drops the promise of its
 * cancel request, which rejects when that request cannot connect (the database going down or
 * refusing connections): an unhandled rejection. Its canceller is called directly, as
 * `cancel()` does, so the failure is caught; there is nothing to do about it but let the deadline's
 * answer stand.
 */
function cancelQuietly (query: object): void {
  const pending = query as unknown as { canceller?: ((q: unknown) => Promise<unknown>) | null }
  const canceller = pending.canceller
  if (typeof canceller !== 'function') return
  pending.canceller = null
  canceller(query).catch(() => {})
}

/**
 * postgres-js with a deadline on every query, replaced by a fresh client whenever it misses one.
 *
 * The deadline: postgres-js holds a query across its reconnect back-off (up to 20 s per attempt)
 * while the database is unreachable; requests must fail fast instead.
 *
 * The replacement: after an outage during which queries kept coming and were cancelled at the
 * deadline, postgres-js 3.4.9 can be left with connections that never serve again — stuck on
 * queries already cancelled while they were (re)connecting — even once the database is back, so
 * the server never recovered (test/db/postgres-pool.test.ts reproduces it). Whatever the cause, a
 * pool that lets a query wait out a whole deadline is not serving: the next query goes to a fresh
 * client and the old one is ended, its running queries given one more deadline to finish.
 */
export function createPostgresPool (url: string, options: PostgresPoolOptions = {}): PostgresPool {
  const first = postgres(url, poolOptions)
  const { deadlineMs, onReplaced } = options
  if (deadlineMs === undefined) return { sql: first, end: () => first.end({ timeout: 5 }) }

  let current = first
  const retiring = new Set<Promise<void>>()
  let replacedAt = -Infinity

  function replace (): void {
    // A fresh client gets a whole deadline to show it works before it is judged.
    if (performance.now() - replacedAt < deadlineMs!) return
    replacedAt = performance.now()
    const old = current
    current = postgres(url, poolOptions)
    // drizzle installs its parsers and serializers on the client it was given; the new one needs them too.
    Object.assign(current.options.parsers, first.options.parsers)
    Object.assign(current.options.serializers, first.options.serializers)
    const ending: Promise<void> = old.end({ timeout: deadlineMs! / 1000 }).catch(() => {}).finally(() => retiring.delete(ending))
    retiring.add(ending)
    onReplaced?.()
  }

  type UnsafeArgs = Parameters<postgres.Sql['unsafe']>
  function unsafe (text: UnsafeArgs[0], parameters?: UnsafeArgs[1], queryOptions?: UnsafeArgs[2]) {
    // drizzle asks for unnamed statements, planned at every run; planning the room log's append
    // took longer than running it. Parameterised statements are few and fixed: each becomes a
    // named statement per connection, planned generically after a few runs. (Unparameterised
    // ones — migrations' DDL — stay unnamed.)
    const prepare = parameters !== undefined && parameters.length > 0
    const query = current.unsafe(text, parameters, { ...queryOptions, prepare })
    const giveUp = () => {
      cancelQuietly(query)
      replace()
    }
    // Lazy like the query itself: drizzle picks `.values()` or not before awaiting.
    return {
      then: (onValue: (v: unknown) => unknown, onError: (e: unknown) => unknown) => withinDeadline(query, deadlineMs!, giveUp).then(onValue, onError),
      values: () => withinDeadline(query.values(), deadlineMs!, giveUp)
    }
  }

  /** A transaction the caller gave up on rolls back instead of committing behind its back. */
  function begin (...args: unknown[]) {
    const body = args.pop() as TransactionBody
    let abandoned = false
    const guarded = async (tx: postgres.TransactionSql) => {
      if (abandoned) throw timedOut()
      const result = await body(tx)
      if (abandoned) throw timedOut()
      return result
    }
    const run = current.begin as (...a: unknown[]) => Promise<unknown>
    return withinDeadline(run.apply(current, [...args, guarded]), deadlineMs!, () => {
      abandoned = true
      replace()
    })
  }

  const facing = { options: first.options, unsafe, begin }
  return {
    // drizzle's type asks for a whole client; it is given the members it uses (DrizzleFacingClient).
    sql: facing as unknown as postgres.Sql,
    async end () {
      await Promise.all([current.end({ timeout: 5 }), ...retiring])
    }
  }
}
