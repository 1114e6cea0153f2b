// The reference for HTTP: a bare Fastify hello-world JSON route, same Node, same machine, same run.
// With `helmet`: the same route behind @fastify/helmet with the product's options, to show what the
// security headers cost per request apart from everything else the product does.
import Fastify from 'fastify'
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet'
import { helmetOptions } from '../../plugins/security.js'

const app = Fastify({ logger: false })
if (process.argv[2] === 'helmet') await app.register(helmet, { global: true, ...helmetOptions([]) as FastifyHelmetOptions })
app.get('/hello', async () => ({ hello: 'world' }))
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`)
