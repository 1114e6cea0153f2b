import { Type, type TSchema } from 'typebox'

/** The contract's error codes (docs/protocol.md, "Errors"), shared by HTTP and WebSocket. */
export const ERROR_CODES = [
  'unauthorized',
  'invalid_credentials',
  'forbidden',
  'not_found',
  'validation',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal'
] as const
export type ErrorCode = typeof ERROR_CODES[number]

/** Ids are opaque strings to clients (docs/protocol.md, "The model"). */
export const IdSchema = Type.String({ minLength: 1, maxLength: 64 })
/** Every integer a client sends (an event number, a cursor): PostgreSQL's `integer`, never past it. */
export const SeqSchema = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })
export const IsoDateSchema = Type.String({ format: 'date-time' })

/**
 * Text PostgreSQL can keep exactly as the client sent it: its `text` cannot hold NUL, and UTF-8 has
 * no encoding for an unpaired surrogate (the drivers would store U+FFFD). Used where a string is
 * stored or looked up as it came (a `clientId`), so it is refused rather than changed.
 */
export const STORABLE_TEXT_PATTERN = '^[^\\u0000\\uD800-\\uDFFF]*$'
const STORABLE_TEXT = new RegExp(STORABLE_TEXT_PATTERN, 'u')
export const isStorableText = (text: string): boolean => STORABLE_TEXT.test(text)

export const ErrorResponseSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
  error: Type.String(),
  message: Type.String()
}, { $id: 'ErrorResponse', description: 'Every error, on every route' })

const ErrorRef = Type.Ref('ErrorResponse')

/**
 * The response map for a route: its successes plus the shared error body for each error status
 * it can produce. 500 and 429 are possible everywhere, so always included.
 */
export function responses<S extends Record<number, TSchema>> (success: S, ...errors: number[]) {
  const errorEntries = Object.fromEntries([...new Set([...errors, 429, 500])].map((s) => [s, ErrorRef]))
  return { ...errorEntries, ...success } as S & Record<number, TSchema>
}

export const NoContentSchema = Type.Null({ description: 'No content' })
