// A push service for the benchmark: takes every push (201) as fast as loopback allows, so what the
// bench measures is the product's cost of sending them. Prints LISTENING <port>; on SIGTERM, how
// many pushes it took, as JSON on stdout.
import { createServer } from 'node:http'

let pushes = 0
const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    pushes++
    response.writeHead(201).end()
  })
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`LISTENING ${typeof address === 'object' && address !== null ? address.port : 0}\n`)
})
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ pushes })}\n`)
  server.close()
  server.closeAllConnections()
})
