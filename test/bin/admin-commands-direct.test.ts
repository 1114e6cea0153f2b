import t from 'tap'
import { PASSWORD } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { runBin } from '../fixtures/processes.js'

// Its own file: a score of processes one after another, so tap can run it beside the others.
t.test('without a server: every command works on the database directly', async (t) => {
  const env = await adminEnv(t)
  const added = await runBin('add-user', ['Alice', '--display-name', 'Alice A.'], env, `${PASSWORD}\n`)
  t.equal(added.code, 0, added.stderr)
  t.match(added.stdout, /created user alice/)
  const where = env.DATABASE_URL === undefined ? `embedded database in ${env.DATA_DIR!}` : `PostgreSQL database ${new URL(env.DATABASE_URL).pathname.slice(1)} on 127.0.0.1:5432`
  t.match(added.stdout, `(${where}; no server is running on it)`, 'says which database it wrote to')

  const duplicate = await runBin('add-user', ['ALICE'], env, `${PASSWORD}\n`)
  t.equal(duplicate.code, 1)
  t.match(duplicate.stderr, /user "alice" already exists/)

  const badName = await runBin('add-user', ['no spaces allowed'], env, `${PASSWORD}\n`)
  t.equal(badName.code, 1)
  t.match(badName.stderr, /invalid username/)

  const shortPassword = await runBin('add-user', ['bob'], env, 'short\n')
  t.equal(shortPassword.code, 1)
  t.match(shortPassword.stderr, /at least 8 characters/)

  t.equal((await runBin('add-user', ['bob'], env, `${PASSWORD}\n`)).code, 0)
  const room = await runBin('create-room', ['Grandparents', '--member', 'alice', '--member', 'bob'], env)
  t.equal(room.code, 0, room.stderr)
  t.match(room.stdout, /created room "Grandparents" .* with 2 member/)
  t.equal((await runBin('add-user', ['carol'], env, `${PASSWORD}\n`)).code, 0)
  const member = await runBin('add-member', ['Grandparents', 'carol'], env)
  t.equal(member.code, 0, member.stderr)
  const again = await runBin('add-member', ['Grandparents', 'carol'], env)
  t.equal(again.code, 1)

  const reset = await runBin('reset-password', ['bob'], env, 'another password\n')
  t.equal(reset.code, 0, reset.stderr)
  const disabled = await runBin('disable-user', ['carol'], env)
  t.equal(disabled.code, 0, disabled.stderr)
  const unknown = await runBin('disable-user', ['nobody'], env)
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /no user named "nobody"/)

  const list = await runBin('list-users', [], env)
  t.equal(list.code, 0)
  t.match(list.stdout, /alice\s+active\s+Alice A\./)
  t.match(list.stdout, /carol\s+disabled/)
  t.notMatch(list.stdout + list.stderr, /argon2|\$argon/, 'no hashes printed')
})
