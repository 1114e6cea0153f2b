import t from 'tap'
import { freshPostgresDatabase, PASSWORD, tempDir, TEST_SECRET, type TestContext } from '../helper.js'
import { runBin, startServer } from '../fixtures/processes.js'

// The same environment the server gets; on CI's PostgreSQL pass, a database of this test's own.
async function adminEnv (t: TestContext): Promise<Record<string, string>> {
  const env: Record<string, string> = { DATA_DIR: tempDir(t), JWT_SECRET: TEST_SECRET }
  if (process.env.DATABASE_URL !== undefined) env.DATABASE_URL = await freshPostgresDatabase(t, process.env.DATABASE_URL)
  return env
}

async function loginStatus (url: string, username: string, password: string): Promise<{ status: number, token?: string }> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
  const body = await res.json() as { token?: string }
  return { status: res.status, ...(body.token === undefined ? {} : { token: body.token }) }
}

t.test('without a server: every command works on the database directly', async (t) => {
  const env = await adminEnv(t)
  const added = await runBin('add-user', ['Alice', '--display-name', 'Alice A.'], env, `${PASSWORD}\n`)
  t.equal(added.code, 0, added.stderr)
  t.match(added.stdout, /created user alice/)

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

t.test('usage errors exit 2 and --help explains', async (t) => {
  const env = await adminEnv(t)
  const help = await runBin('add-user', ['--help'], env)
  t.equal(help.code, 0)
  t.match(help.stdout, /usage: bin\/add-user <username> \[--display-name NAME\]/)
  // A password on the command line would land in shell history: it is not an accepted argument.
  const argvPassword = await runBin('add-user', ['alice', PASSWORD], env)
  t.equal(argvPassword.code, 2)
  t.equal((await runBin('add-user', [], env)).code, 2)
  t.equal((await runBin('create-room', ['x', '--bogus'], env)).code, 2)
  for (const command of ['reset-password', 'disable-user', 'list-users', 'create-room', 'add-member']) {
    const res = await runBin(command, ['--help'], env)
    t.equal(res.code, 0, command)
    t.match(res.stdout, new RegExp(`usage: bin/${command}`))
  }
})

t.test('with the server running: commands go through it, and disabling closes live sessions', async (t) => {
  const env = await adminEnv(t)
  const server = await startServer(t, env)
  const added = await runBin('add-user', ['alice'], env, `${PASSWORD}\n`)
  t.equal(added.code, 0, added.stderr)
  const { status, token } = await loginStatus(server.url, 'alice', PASSWORD)
  t.equal(status, 200)
  const me = () => fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)
  t.equal(await me(), 200)

  const disabled = await runBin('disable-user', ['alice'], env)
  t.equal(disabled.code, 0, disabled.stderr)
  t.match(disabled.stdout, /1 session\(s\) logged out/)
  t.equal(await me(), 401, 'revoked at once, despite the session cache')
  t.equal((await loginStatus(server.url, 'alice', PASSWORD)).status, 401)

  const list = await runBin('list-users', [], env)
  t.match(list.stdout, /alice\s+disabled/)
  t.equal(await server.stop(), 0, 'a clean exit on SIGTERM')
  t.notMatch(server.logs.join('\n'), new RegExp(PASSWORD), 'no password in any log line')
})

t.test('the embedded database refuses a second process', { skip: process.env.DATABASE_URL !== undefined && 'embedded mode only' }, async (t) => {
  const env = await adminEnv(t)
  await startServer(t, env)
  const second = startServer(t, env)
  await t.rejects(second, /in use by process \d+; the embedded database allows one process at a time/)
})
