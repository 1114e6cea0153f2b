/** What a verified token says. */
export interface TokenClaims {
  sub: string
  sid: string
  /** Epoch ms, or null when the token carries no `exp`. */
  expiresAt: number | null
}

/**
 * Tokens already verified, remembered until they expire: a client sends the same token with every
 * request, and decoding and checking its signature again was a third of a cached page's CPU.
 * Keyed by the whole token string, so only that exact token can hit; failures are never kept.
 * (fast-jwt has such a cache, but keyed by a hash — costing most of the gain — or with a custom
 * key that makes it warn at every start.)
 */
export function createVerifiedTokens (verify: (token: string) => TokenClaims, max = 1000, now: () => number = () => Date.now()) {
  const known = new Map<string, TokenClaims>()
  return (token: string): TokenClaims => {
    const hit = known.get(token)
    if (hit !== undefined && (hit.expiresAt === null || hit.expiresAt > now())) return hit
    known.delete(token)
    const claims = verify(token)
    if (known.size >= max) known.delete(known.keys().next().value!)
    known.set(token, claims)
    return claims
  }
}
