import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import { AppError } from '../errors.js'
import { PASSWORD_MAX, PASSWORD_MIN } from '../schemas/auth.js'
import { createSemaphore } from '../semaphore.js'

// OWASP's argon2id baseline (19 MiB, 2 passes) keeps a login near 50 ms on a small box.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

// argon2 runs on libuv's thread pool, never on the event loop, but a burst of logins could still
// take every core (and all four pool threads, starving file I/O). Leaving a core to the event loop
// keeps the server answering while the family logs in; a deep queue is refused rather than kept.
const limitHashing = createSemaphore(Math.max(1, availableParallelism() - 1), 256, 'Too many logins at once; try again in a moment')

export function hashPassword (password: string): Promise<string> {
  return limitHashing(() => argon2.hash(password, OPTIONS))
}

let dummyHash: Promise<string> | undefined

/**
 * Verifies against the stored hash, or against a throwaway hash when there is no user, so an
 * unknown username costs the same time as a wrong password and the two cannot be told apart.
 */
export async function verifyPassword (hash: string | undefined, password: string): Promise<boolean> {
  const against = hash ?? await (dummyHash ??= hashPassword('family-chat-timing-equaliser'))
  let matches: boolean
  try {
    matches = await limitHashing(() => argon2.verify(against, password))
  } catch (error) {
    // A full queue is the server's problem, not a wrong password (and says so for any username).
    if (error instanceof AppError && error.code === 'rate_limited') throw error
    matches = false
  }
  return hash !== undefined && matches
}

export function passwordProblem (password: string): string | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `the password must be at least ${PASSWORD_MIN} characters`
  if (length > PASSWORD_MAX) return `the password must be at most ${PASSWORD_MAX} characters`
  return null
}
