import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { publicError, type PublicError } from './errors.js'

// Errors Fastify raises before any route or hook runs. Their own messages quote the path back;
// these do not.
const FRAMEWORK_ERRORS: Record<string, PublicError> = {
  FST_ERR_BAD_URL: publicError('validation', 'The URL is malformed'),
  FST_ERR_MAX_PARAM_LENGTH: publicError('payload_too_large', 'A path parameter is too long', 414)
}

/**
 * Fastify's `frameworkErrors`: the contract's error shape, and the security headers that the
 * `onRequest` hook, which never ran, would have set.
 */
export function frameworkErrorHandler (headers: () => Record<string, string>) {
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
    const body = FRAMEWORK_ERRORS[error.code] ?? publicError('internal', 'Internal server error')
    reply.headers(headers()).code(body.statusCode).send(body)
  }
}

function clientErrorBody (err: NodeJS.ErrnoException): PublicError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return publicError('validation', 'The request did not arrive in time', 408)
  if (err.code === 'HPE_HEADER_OVERFLOW') return publicError('payload_too_large', 'The request headers are too large', 431)
  return publicError('validation', 'Malformed HTTP request')
}

/**
 * Node's `clientError` (a bad content length, a malformed request line, a request that never
 * finished arriving): no request object exists, so the response is written on the socket, in the
 * contract's shape with the security headers, and the connection ends.
 */
export function clientErrorHandler (headers: () => Record<string, string>) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    if (socket.writable) {
      const error = clientErrorBody(err)
      const body = JSON.stringify(error)
      const head = Object.entries(headers()).map(([name, value]) => `${name}: ${value}\r\n`).join('')
      socket.end(`HTTP/1.1 ${error.statusCode} ${error.error}\r\n${head}content-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
    }
    socket.destroySoon()
  }
}
