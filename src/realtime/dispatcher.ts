import type { RawData } from 'ws'
import { rateLimited, toPublicError, validation } from '../errors.js'
import { dataValidators, encode, envelopeValidator, isClientMessageType, CLOSE, type ClientMessageType } from './envelope.js'
import type { FloodVerdict } from './flood-guard.js'
import { clientHandlers, type HandlerContext, type Reply } from './handlers.js'
import type { Connection } from './registry.js'

export interface DispatcherDeps {
  /** Throws `unauthorized` once the token has expired or its session is revoked. */
  authorize (connection: Connection): Promise<void>
  send (connection: Connection, frame: string): void
  close (connection: Connection, code: number, reason: string): void
  logError (err: unknown, connection: Connection, type: string | undefined): void
  /** Handler work in flight; graceful shutdown waits for it. */
  track (work: Promise<unknown>): void
}

export interface ConnectionState {
  context: HandlerContext
  flood (): FloodVerdict
  /** Frames of one socket are authorised and started in arrival order. */
  chain: Promise<void>
}

interface Parsed {
  type: ClientMessageType
  id: string | undefined
  data: object
}

function parse (raw: RawData, isBinary: boolean): { parsed?: Parsed, id?: string | undefined, error?: Error } {
  if (isBinary) return { error: validation('Frames must be JSON text') }
  let value: unknown
  try {
    value = JSON.parse(raw.toString())
  } catch {
    return { error: validation('The frame is not JSON') }
  }
  if (!envelopeValidator.Check(value)) return { error: validation('The frame is not an envelope { type, id?, data? }') }
  const { type, id } = value
  if (!isClientMessageType(type)) return { id, error: validation(`Unknown frame type "${type.slice(0, 64)}"`) }
  const data = value.data ?? {}
  const validator = dataValidators[type]
  if (!validator.Check(data)) {
    const first = validator.Errors(data)[0]
    const where = first?.instancePath === undefined || first.instancePath === '' ? 'data' : `data${first.instancePath.replaceAll('/', '.')}`
    return { id, error: validation(`Invalid ${type}: ${where} ${first?.message ?? 'is invalid'}`) }
  }
  return { parsed: { type, id, data } }
}

/**
 * Runs the contract's steps for every frame: flood check, parse, envelope, handler lookup,
 * data, authorisation, handler, then `ack`/`error` with the request's id. Everything goes
 * through toPublicError: Fastify's error handler does not apply after the upgrade.
 */
export function createDispatcher (deps: DispatcherDeps) {
  function fail (connection: Connection, err: unknown, id: string | undefined, type?: string): void {
    const { internal, code, message } = toPublicError(err)
    if (internal) deps.logError(err, connection, type)
    deps.send(connection, encode('error', { code, message }, id))
    if (code === 'unauthorized') deps.close(connection, CLOSE.unauthorized, 'session ended')
  }

  function reply (connection: Connection, result: Reply, id: string | undefined): void {
    if (result !== null) deps.send(connection, encode(result.type, result.data, id))
  }

  return function dispatch (connection: Connection, state: ConnectionState, raw: RawData, isBinary: boolean): void {
    const verdict = state.flood()
    if (verdict === 'close') return deps.close(connection, CLOSE.rateLimited, 'too many frames')
    if (verdict === 'limited') return fail(connection, rateLimited('Too many frames, slow down'), undefined)

    const { parsed, id, error } = parse(raw, isBinary)
    if (parsed === undefined) return fail(connection, error, id)

    state.chain = state.chain.then(async () => {
      try {
        await deps.authorize(connection)
      } catch (err) {
        // `unauthorized` closes the socket (4001); a database outage is only an `internal` answer.
        return fail(connection, err, parsed.id, parsed.type)
      }
      // Called, not awaited: its synchronous part (a send's append) runs now, in arrival order.
      const work = (clientHandlers[parsed.type] as (ctx: HandlerContext, data: object) => Promise<Reply>)(state.context, parsed.data)
        .then((result) => reply(connection, result, parsed.id), (err: unknown) => fail(connection, err, parsed.id, parsed.type))
      deps.track(work)
    })
  }
}
