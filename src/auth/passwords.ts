import argon2 from 'argon2'

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

// OWASP's argon2id baseline (19 MiB, 2 passes) keeps a login near 50 ms on a small box.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export function hashPassword (password: string): Promise<string> {
  return argon2.hash(password, OPTIONS)
}

let dummyHash: Promise<string> | undefined

/**
 * Verifies against the stored hash, or against a throwaway hash when there is no user, so an
 * unknown username costs the same time as a wrong password and the two cannot be told apart.
 */
export async function verifyPassword (hash: string | undefined, password: string): Promise<boolean> {
  if (hash === undefined) {
    dummyHash ??= hashPassword('family-chat-timing-equaliser')
    await argon2.verify(await dummyHash, password).catch(() => false)
    return false
  }
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

export function passwordProblem (password: string): string | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `the password must be at least ${PASSWORD_MIN} characters`
  if (length > PASSWORD_MAX) return `the password must be at most ${PASSWORD_MAX} characters`
  return null
}
