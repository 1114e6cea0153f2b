// PGlite's wire protocol as the room log's append uses it: values come back as PostgreSQL's text,
// errors with their SQLSTATE (a unique violation is retried by the room log), and a statement
// never runs inside another caller's transaction.
import t from 'tap'
import { createPglite } from '../../db/embedded.js'
import { isUniqueViolation } from '../../db/errors.js'
import { firstRowOf, PgliteStatementError } from '../../db/pglite-simple-query.js'

t.test('first row as text, NULL as null, no row as undefined', async (t) => {
  const client = await createPglite()
  t.teardown(() => client.close())
  t.same(await firstRowOf(client, "select 1 as a, null::text as b, 'é''s' as c, array[0,2]::int[] as d"), ['1', null, "é's", '{0,2}'])
  t.equal(await firstRowOf(client, 'select 1 where false'), undefined)
  t.same(await firstRowOf(client, 'select n from generate_series(7, 9) n'), ['7'], 'only the first of several rows')
})

t.test("a refused statement throws PostgreSQL's error with its code, and stores nothing", async (t) => {
  const client = await createPglite()
  t.teardown(() => client.close())
  await client.exec('create table kv (k text primary key, v text)')
  await firstRowOf(client, "insert into kv values ('a', '1')")
  const err = await firstRowOf(client, "insert into kv values ('b', '2'), ('a', 'secret body')").then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof PgliteStatementError)
  t.ok(isUniqueViolation(err), 'SQLSTATE 23505')
  t.equal((err as PgliteStatementError).constraint, 'kv_pkey')
  t.notMatch(String((err as Error).message), /secret body/, "the error does not carry the statement's values")
  t.same((await client.query('select k from kv order by k')).rows, [{ k: 'a' }], 'the whole statement was rolled back')
  await t.rejects(firstRowOf(client, 'select * from missing_table'), { code: '42P01' })
  t.same(await firstRowOf(client, 'select 2'), ['2'], 'the session goes on after an error')
})

t.test("a statement waits for another caller's transaction to end", async (t) => {
  const client = await createPglite()
  t.teardown(() => client.close())
  await client.exec('create table log (n int)')
  let release = (): void => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  let begun = (): void => {}
  const open = new Promise<void>((resolve) => { begun = resolve })
  const transaction = client.transaction(async (tx) => {
    await tx.query('insert into log values (1)')
    begun()
    await held
    await tx.rollback()
  })
  await open
  // Sent while the transaction is open between two of its statements: it must not become part of
  // it (and be rolled back with it).
  const outside = firstRowOf(client, 'insert into log values (2) returning n')
  await new Promise((resolve) => setImmediate(resolve))
  release()
  await transaction
  t.same(await outside, ['2'])
  t.same((await client.query('select n from log')).rows, [{ n: 2 }], 'only the statement outside the transaction is stored')
})

t.test('a closed PGlite refuses instead of running', async (t) => {
  const client = await createPglite()
  await client.close()
  await t.rejects(firstRowOf(client, 'select 1'), /closed/)
})
