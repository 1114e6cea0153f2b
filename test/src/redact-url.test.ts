import t from 'tap'
import WebSocket from 'ws'
import { redactUrl } from '../../src/redact-url.js'
import { userWithToken } from '../helper.js'
import { buildWithLog } from '../fixtures/logged-app.js'
import { listenUrl } from '../fixtures/ws-client.js'

t.test('the token query parameter is redacted whatever its encoding', async (t) => {
  t.equal(redactUrl('/ws?token=abc.def'), '/ws?token=[redacted]')
  t.equal(redactUrl('/ws?%74oken=abc.def'), '/ws?%74oken=[redacted]')
  t.equal(redactUrl('/ws?%74%6F%6B%65%6E=abc&x=1'), '/ws?%74%6F%6B%65%6E=[redacted]&x=1')
  t.equal(redactUrl('/ws?x=1&TOKEN=abc'), '/ws?x=1&TOKEN=[redacted]')
  t.equal(redactUrl('/ws?a=%zz&token=abc'), '/ws?a=%zz&token=[redacted]', 'a malformed neighbour does not stop it')
  t.equal(redactUrl('/api/messages?since=3'), '/api/messages?since=3')
  t.equal(redactUrl('/ws'), '/ws')
})

t.test('a socket opened with ?%74oken= works, and its token reaches no log line', async (t) => {
  const { app, log } = await buildWithLog(t)
  const alice = await userWithToken(app, 'alice')
  const ws = new WebSocket(`${await listenUrl(app)}/ws?%74oken=${alice.token}`)
  const ready = await new Promise<{ type: string }>((resolve, reject) => {
    ws.once('message', (data: Buffer) => { resolve(JSON.parse(data.toString()) as { type: string }) })
    ws.once('error', reject)
  })
  t.equal(ready.type, 'ready')
  ws.close()
  t.match(log(), /%74oken=\[redacted\]/, 'the request is logged, its token redacted')
  t.notMatch(log(), new RegExp(alice.token.split('.')[2]!.slice(0, 20)), 'the token itself is nowhere')
})
