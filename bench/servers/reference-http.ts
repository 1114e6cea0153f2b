// The reference for HTTP: a bare Fastify hello-world JSON route, same Node, same machine, same run.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/hello', async () => ({ hello: 'world' }))
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`)
