import { STATUS_CODES } from 'node:http'
import { isDatabaseDown } from '../db/errors.js'
import { ERROR_CODES, type ErrorCode } from './schemas/common.js'

export { ERROR_CODES, type ErrorCode } from './schemas/common.js'

const STATUS_OF: Record<ErrorCode, number> = {
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  validation: 400,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500
}

/**
 * An expected failure with a contract code. Not @fastify/error: it upper-cases codes, and the
 * contract's are lower-case. No stack is captured: these are outcomes, not bugs.
 */
export class AppError extends Error {
  readonly statusCode: number
  constructor (readonly code: ErrorCode, message: string) {
    super(message)
    this.name = 'AppError'
    this.statusCode = STATUS_OF[code]
  }
}

function make (code: ErrorCode, fallback: string) {
  return (message: string = fallback): AppError => {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      return new AppError(code, message)
    } finally {
      Error.stackTraceLimit = limit
    }
  }
}

export const unauthorized = make('unauthorized', 'Authentication required')
export const invalidCredentials = make('invalid_credentials', 'Wrong username or password')
export const forbidden = make('forbidden', 'Not allowed')
export const notFound = make('not_found', 'Not found')
export const validation = make('validation', 'Invalid request')
export const conflict = make('conflict', 'Conflict')
export const payloadTooLarge = make('payload_too_large', 'Payload too large')
export const unsupportedMediaType = make('unsupported_media_type', 'Unsupported media type')
export const rateLimited = make('rate_limited', 'Too many requests, slow down')
export const internal = make('internal', 'Internal server error')

export interface PublicError {
  statusCode: number
  code: ErrorCode
  error: string
  message: string
}

const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  406: 'unsupported_media_type',
  409: 'conflict',
  411: 'validation',
  413: 'payload_too_large',
  414: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'payload_too_large'
}

export function publicError (code: ErrorCode, message: string, statusCode = STATUS_OF[code]): PublicError {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/**
 * The one mapping from anything thrown to the contract's error body. `internal` is true when
 * the error was unexpected: the caller logs it, and the client sees only a fixed message.
 */
export function toPublicError (err: unknown): PublicError & { internal: boolean } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown, statusCode?: unknown, message?: unknown, validation?: unknown
  }
  const message = typeof e.message === 'string' ? e.message : ''
  if (e.validation !== undefined) {
    return { ...publicError('validation', message), internal: false }
  }
  if (isErrorCode(e.code) && e.code !== 'internal') {
    return { ...publicError(e.code, message), internal: false }
  }
  if (typeof e.code === 'string' && e.code.startsWith('FST_JWT_')) {
    return { ...publicError('unauthorized', 'Invalid or expired token'), internal: false }
  }
  // Fastify's and its plugins' own client errors (bad JSON, body too large, wrong content type…)
  // carry a 4xx status; their messages are written for clients and name no internals.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = CODE_BY_STATUS[e.statusCode] ?? 'validation'
    return { ...publicError(code, message, STATUS_OF[code]), internal: false }
  }
  if (isDatabaseDown(err)) {
    // Still `internal` (the contract's code), but 503: the client may retry once the database is back.
    return { ...publicError('internal', 'The database is unavailable; try again shortly', 503), internal: true }
  }
  return { ...publicError('internal', 'Internal server error'), internal: true }
}
