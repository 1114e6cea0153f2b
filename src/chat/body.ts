import { validation } from '../errors.js'

export const MAX_BODY_CODE_POINTS = 4000

// C0 controls except tab (09), LF (0A) and CR (0D). PostgreSQL rejects NUL outright.
// eslint-disable-next-line no-control-regex
const C0_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g

/** Text as bodies are stored: well-formed, without the C0 controls a body cannot hold. */
export const plainText = (raw: string): string => raw.toWellFormed().replace(C0_EXCEPT_WHITESPACE, '')

/**
 * The contract's body rules: C0 controls removed, trimmed, at most 4,000 code points after that.
 * Lone surrogates cannot be stored as UTF-8; both drivers would replace them, so it is done here,
 * once, explicitly. Everything else is kept byte for byte.
 */
export function sanitizeBody (raw: string, options: { allowEmpty: boolean }): string {
  const body = plainText(raw).trim()
  if (body === '' && !options.allowEmpty) throw validation('The message body is empty')
  // UTF-16 length bounds the code-point count from above, so most bodies skip the count.
  if (body.length > MAX_BODY_CODE_POINTS && countCodePoints(body) > MAX_BODY_CODE_POINTS) {
    throw validation(`The message body is longer than ${MAX_BODY_CODE_POINTS} characters`)
  }
  return body
}

function countCodePoints (text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    // A high surrogate followed by its low half is one code point (the string is well-formed here).
    if (unit >= 0xd800 && unit <= 0xdbff) i++
    count++
  }
  return count
}
