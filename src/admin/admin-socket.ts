import { chmodSync, unlinkSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { AdminError, adminCommands, isAdminCommand, type AdminContext, type AdminRequest } from './commands.js'

export const adminSocketPath = (dataDir: string): string => join(dataDir, 'admin.sock')

interface AdminResponse {
  ok: boolean
  output: string
}

const MAX_REQUEST_BYTES = 64 * 1024

/**
 * While the server runs it owns the embedded database, so bin/ commands send their request here
 * instead: one JSON line in, one JSON line out. The socket file is 0600 inside the 0700 DATA_DIR,
 * so only the server's own OS user can use it.
 */
export async function listenAdminSocket (
  path: string,
  ctx: AdminContext,
  onError: (err: unknown) => void
): Promise<Server> {
  const server = createServer((socket) => { serve(socket, ctx, onError) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || await isAnswering(path)) return reject(err)
      // A socket file left by a crashed server: nobody answers on it, so it can go.
      try { unlinkSync(path) } catch {}
      server.once('error', reject)
      server.listen(path, resolve)
    })
    server.listen(path, resolve)
  })
  chmodSync(path, 0o600)
  return server
}

function serve (socket: Socket, ctx: AdminContext, onError: (err: unknown) => void): void {
  let buffer = ''
  socket.setEncoding('utf8')
  socket.on('error', () => {})
  socket.on('data', (chunk: string) => {
    buffer += chunk
    if (buffer.length > MAX_REQUEST_BYTES) return reply(socket, { ok: false, output: 'request too large' })
    const newline = buffer.indexOf('\n')
    if (newline === -1) return
    socket.removeAllListeners('data')
    run(buffer.slice(0, newline), ctx)
      .catch((err: unknown) => {
        if (err instanceof AdminError) return { ok: false, output: err.message }
        onError(err)
        return { ok: false, output: 'the server failed to run the command; see its log' }
      })
      .then((response) => { reply(socket, response) })
  })
}

async function run (line: string, ctx: AdminContext): Promise<AdminResponse> {
  let request: Partial<AdminRequest>
  try {
    request = JSON.parse(line) as Partial<AdminRequest>
  } catch {
    throw new AdminError('malformed admin request')
  }
  if (!isAdminCommand(request.command) || typeof request.args !== 'object' || request.args === null) {
    throw new AdminError('unknown admin command')
  }
  return { ok: true, output: await adminCommands[request.command](ctx, request.args) }
}

function reply (socket: Socket, response: AdminResponse): void {
  socket.end(JSON.stringify(response) + '\n')
}

export function isAnswering (path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path)
    probe.once('connect', () => { probe.destroy(); resolve(true) })
    probe.once('error', () => resolve(false))
  })
}

/**
 * Sends one request to a running server. Resolves null when no server listens (the caller then
 * opens the database itself).
 */
export function sendAdminRequest (path: string, request: AdminRequest): Promise<AdminResponse | null> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path)
    let data = ''
    let connected = false
    socket.setEncoding('utf8')
    socket.once('connect', () => {
      connected = true
      socket.write(JSON.stringify(request) + '\n')
    })
    socket.on('data', (chunk: string) => { data += chunk })
    socket.once('end', () => {
      try {
        resolve(JSON.parse(data) as AdminResponse)
      } catch {
        reject(new Error('the server closed the admin connection without an answer'))
      }
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) resolve(null)
      else reject(err)
    })
  })
}
