import t from 'tap'
import { sql } from 'drizzle-orm'
import { bearer, userWithToken } from '../helper.js'
import { buildWithLog } from '../fixtures/logged-app.js'

// Real failing queries, not a hand-made error: the column the queries name is gone.
t.test('a failed query is logged as the driver\'s error: no SQL text, no parameters, no message body', async (t) => {
  const { app, log } = await buildWithLog(t)
  const alice = await userWithToken(app, 'alice')
  const sent = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(alice.token), payload: { body: 'hello', clientId: 'c1' } })
  const id = sent.json().message.id as string
  await app.database.db.execute(sql.raw('alter table messages rename column body to body_gone'))
  // The test helper hands this database to the next app once this one closes: give it back whole.
  t.teardown(() => app.database.db.execute(sql.raw('alter table messages rename column body_gone to body')))

  const edit = await app.inject({ method: 'PATCH', url: `/api/messages/${id}`, headers: bearer(alice.token), payload: { body: 'secret-body-7f3a' } })
  t.equal(edit.statusCode, 500)
  t.same(edit.json(), { statusCode: 500, code: 'internal', error: 'Internal Server Error', message: 'Internal server error' })
  const list = await app.inject({ url: '/api/messages?since=0', headers: bearer(alice.token) })
  t.equal(list.statusCode, 500)

  const failures = log().split('\n').filter((line) => line.includes('"request failed"'))
  t.equal(failures.length, 2, 'each failure is logged for the operator')
  t.match(failures.join('\n'), /does not exist/, 'with the database\'s own reason')
  t.notMatch(log(), /secret-body-7f3a/, 'no message body')
  t.notMatch(log(), /Failed query|params:|select |update "messages"|"parameters"|"query"/i, 'no SQL text or parameters')
  t.notMatch(log(), new RegExp(alice.token.slice(-20)), 'no token')
})
