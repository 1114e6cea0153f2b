import t from 'tap'
import { PASSWORD } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { runBin, startServer } from '../fixtures/processes.js'

async function loginStatus (url: string, username: string, password: string): Promise<{ status: number, token?: string }> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })
  const body = await res.json() as { token?: string }
  return { status: res.status, ...(body.token === undefined ? {} : { token: body.token }) }
}

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
  t.match(disabled.stdout, /through the server running on it\)/, 'says it went through the running server')
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
