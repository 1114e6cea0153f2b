// The server as a family runs it: `npm start` (the compiled server, built first when stale) and the
// bin/ commands, each spawned exactly as the README says. Only a real process shows what these
// cover: the HEIC decoder's worker thread, the admin socket, SIGTERM.
import t from 'tap'
import { PASSWORD } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import * as images from '../fixtures/images.js'
import { runBin, startServer } from '../fixtures/processes.js'
import { openSocketAt } from '../fixtures/ws-client.js'

async function upload (url: string, token: string, bytes: Buffer, filename: string, clientId: string): Promise<Response> {
  const form = new FormData()
  form.append('clientId', clientId)
  form.append('file', new Blob([bytes]), filename)
  return await fetch(`${url}/api/messages/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
}

t.test('npm start: a family member logs in, sends an iPhone photo and a JPEG live, and SIGTERM stops it cleanly', async (t) => {
  const env = await adminEnv(t)
  const server = await startServer(t, env)
  const added = await runBin('add-user', ['alice', '--display-name', 'Alice'], env, `${PASSWORD}\n`)
  t.equal(added.code, 0, added.stderr)
  t.match(added.stdout, /alice/)

  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: PASSWORD }) })
  t.equal(login.status, 200)
  const { token } = await login.json() as { token: string }
  const socket = await openSocketAt(server.url.replace('http:', 'ws:'), token)

  const heic = await upload(server.url, token, images.heic(), 'IMG_0001.HEIC', 'heic-1')
  t.equal(heic.status, 201, 'an iPhone photo is accepted')
  const heicMessage = (await heic.json() as { message: { id: string, image: { url: string, width: number, height: number } } }).message
  t.match(heicMessage.image, { width: 96, height: 64 })
  const live = await socket.next('message.new', (f) => f.data.message?.id === heicMessage.id)
  t.equal(live.data.message?.clientId, 'heic-1', 'and delivered live over the WebSocket')
  const served = await fetch(`${server.url}${heicMessage.image.url}`)
  t.equal(served.status, 200)
  t.equal(served.headers.get('content-type'), 'image/jpeg')

  const jpeg = await upload(server.url, token, await images.jpegWithExifAndGps(), 'IMG_0002.JPG', 'jpeg-1')
  t.equal(jpeg.status, 201, 'a JPEG too')

  const sent = await socket.request('message.send', { roomId: live.data.message?.roomId, body: 'goodnight 🌙', clientId: 'text-1' })
  t.equal(sent.type, 'ack')

  const closed = socket.closed
  t.equal(await server.stop('SIGTERM'), 0, 'SIGTERM: a clean exit')
  t.ok((await closed).code > 0, 'the socket was closed by the shutdown')
  t.match(server.logs.join('\n'), /shutting down/)
  t.notMatch(server.logs.join('\n'), /unhandled|ERR_UNKNOWN_FILE_EXTENSION/)

  // Everything survived the restart.
  const again = await startServer(t, env)
  const history = await fetch(`${again.url}/api/messages`, { headers: { authorization: `Bearer ${token}` } })
  t.same((await history.json() as { messages: Array<{ clientId: string }> }).messages.map((m) => m.clientId), ['heic-1', 'jpeg-1', 'text-1'])
})

t.test('bin/ against a running server goes through its admin socket: a disabled member\'s socket closes at once', async (t) => {
  const env = await adminEnv(t)
  const server = await startServer(t, env)
  t.equal((await runBin('add-user', ['bob'], env, `${PASSWORD}\n`)).code, 0)
  const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: PASSWORD }) })
  const { token } = await login.json() as { token: string }
  const socket = await openSocketAt(server.url.replace('http:', 'ws:'), token)
  const disabled = await runBin('disable-user', ['bob'], env)
  t.equal(disabled.code, 0, disabled.stderr)
  t.equal((await socket.closed).code, 4001, 'closed with 4001 by the running server')
  t.equal(await server.stop(), 0)
})

t.test('bin/create-room and bin/add-member against a running server: the member\'s open sockets follow live (room.joined)', async (t) => {
  const env = await adminEnv(t)
  const server = await startServer(t, env)
  for (const name of ['carol', 'dave']) t.equal((await runBin('add-user', [name], env, `${PASSWORD}\n`)).code, 0)
  const tokenOf = async (username: string): Promise<string> => {
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
    return (await res.json() as { token: string }).token
  }
  const carolToken = await tokenOf('carol')
  const carol = await openSocketAt(server.url.replace('http:', 'ws:'), carolToken)
  const dave = await openSocketAt(server.url.replace('http:', 'ws:'), await tokenOf('dave'))

  const created = await runBin('create-room', ['Cousins', '--member', 'carol'], env)
  t.equal(created.code, 0, created.stderr)
  const joined = await carol.next('room.joined')
  const room = joined.data.room as { id: string, name: string, kind: string, members: string[] }
  t.match(room, { name: 'Cousins', kind: 'group' })

  const added = await runBin('add-member', ['Cousins', 'dave'], env)
  t.equal(added.code, 0, added.stderr)
  t.match((await dave.next('room.joined')).data.room, { id: room.id, name: 'Cousins' })

  const sent = await carol.request('message.send', { roomId: room.id, body: 'hello cousins', clientId: 'k1' })
  t.equal(sent.type, 'ack')
  t.equal((await dave.next('message.new', (f) => f.data.message?.roomId === room.id)).data.message?.body, 'hello cousins',
    'delivered live to the added member, without reconnecting')
  t.equal(await server.stop(), 0)
})
