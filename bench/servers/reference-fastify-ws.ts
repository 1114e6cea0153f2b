// The reference for the server's own share: bare Fastify with @fastify/websocket and one route,
// nothing else loaded. Prints READY once it listens.
import Fastify from 'fastify'
import websocket from '@fastify/websocket'

const app = Fastify({ logger: false })
await app.register(websocket)
app.get('/health', async () => ({ status: 'ok' }))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.stdout.write('READY\n')
