import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { WebSocket, WebSocketServer } from 'ws'
import { textFrame } from '../../src/realtime/text-frame.js'

// Each length form of the header, on both sides of its bounds, with characters of 1-4 bytes.
const texts = [
  '',
  'a',
  'x'.repeat(125),
  'x'.repeat(126),
  'é'.repeat(63),
  '🎂'.repeat(32),
  'x'.repeat(65_535),
  'x'.repeat(65_536),
  `${'Grândma 🎂 '.repeat(7_000)}東京`
]

t.test('framed bytes written to the TCP socket reach a ws client as the same text frames, in order', async (t) => {
  const server = createServer()
  const wss = new WebSocketServer({ server, perMessageDeflate: false })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { wss.close(); server.close() })
  wss.on('connection', (_socket, request) => {
    for (const text of texts) request.socket.write(textFrame(text))
  })
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
  const received = await new Promise<Array<{ text: string, isBinary: boolean }>>((resolve, reject) => {
    const frames: Array<{ text: string, isBinary: boolean }> = []
    client.on('message', (data, isBinary) => {
      frames.push({ text: data.toString(), isBinary })
      if (frames.length === texts.length) resolve(frames)
    })
    client.on('error', reject)
    client.on('close', () => reject(new Error('closed before every frame arrived')))
  })
  client.close()
  t.equal(received.length, texts.length)
  for (const [i, text] of texts.entries()) {
    t.notOk(received[i]!.isBinary, `frame ${i} is a text frame`)
    t.ok(received[i]!.text === text, `frame ${i} (${Buffer.byteLength(text)} bytes) arrived unchanged`)
  }
})

t.test('the header gives the payload length in the shortest form RFC 6455 allows', async (t) => {
  t.same([...textFrame('').subarray(0, 2)], [0x81, 0])
  t.same([...textFrame('x'.repeat(125)).subarray(0, 2)], [0x81, 125])
  t.same([...textFrame('x'.repeat(126)).subarray(0, 4)], [0x81, 126, 0, 126])
  t.same([...textFrame('x'.repeat(65_535)).subarray(0, 4)], [0x81, 126, 0xff, 0xff])
  t.same([...textFrame('x'.repeat(65_536)).subarray(0, 10)], [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0])
  t.equal(textFrame('🎂').length, 2 + 4)
})
