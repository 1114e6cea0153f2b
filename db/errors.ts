import { DrizzleQueryError } from 'drizzle-orm/errors'

// Connection-level failures of the database (refused, reset, shut down, timed out), as postgres-js
// and PostgreSQL name them. Often wrapped by drizzle, so the cause chain is searched.
const DATABASE_DOWN = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED',
  'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006'
])

function codesOf (err: unknown): string[] {
  const codes: string[] = []
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
  }
  return codes
}

/** The database could not be reached or went away: the request may be retried once it is back. */
export const isDatabaseDown = (err: unknown): boolean => codesOf(err).some((code) => DATABASE_DOWN.has(code))

/** A unique constraint refused a row (SQLSTATE 23505), whichever driver and wrapper reported it. */
export const isUniqueViolation = (err: unknown): boolean => codesOf(err).includes('23505')

// Fields drivers attach to their errors that carry SQL text or its parameters (postgres-js sets
// `query` and `parameters`; drizzle's DrizzleQueryError `query` and `params`; PGlite `queryOptions`).
const SQL_FIELDS = new Set(['query', 'params', 'parameters', 'args', 'queryOptions'])

/**
 * What may be logged of an error: the same chain of causes, with every DrizzleQueryError (whose
 * message is the SQL and its parameters — message bodies, password hashes) replaced by the driver's
 * own error, and the drivers' SQL fields dropped.
 */
export function withoutSql (err: unknown, depth = 0): unknown {
  if (!(err instanceof Error) || depth > 8) return err
  if (err instanceof DrizzleQueryError) {
    return err.cause === undefined ? new Error('a database query failed') : withoutSql(err.cause, depth + 1)
  }
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error
  for (const [key, value] of Object.entries(err)) {
    if (!SQL_FIELDS.has(key) && key !== 'cause') Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true })
  }
  const hidden = (value: unknown): PropertyDescriptor => ({ value, enumerable: false, writable: true, configurable: true })
  Object.defineProperties(copy, {
    name: hidden(err.name),
    message: hidden(err.message),
    stack: hidden(err.stack),
    ...(err.cause === undefined ? {} : { cause: hidden(withoutSql(err.cause, depth + 1)) })
  })
  return copy
}
