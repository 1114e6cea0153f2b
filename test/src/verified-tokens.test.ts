import t from 'tap'
import { createVerifiedTokens, type TokenClaims } from '../../src/auth/verified-tokens.js'

function counting (claims: (token: string) => TokenClaims) {
  const calls: string[] = []
  return { calls, verify: (token: string) => { calls.push(token); return claims(token) } }
}

t.test('a token verified once is not verified again until it expires', async (t) => {
  let clock = 1000
  const { calls, verify } = counting((token) => ({ sub: `user-${token}`, sid: 's', expiresAt: 5000 }))
  const claimsOf = createVerifiedTokens(verify, 10, () => clock)
  t.same(claimsOf('a'), { sub: 'user-a', sid: 's', expiresAt: 5000 })
  claimsOf('a')
  t.same(calls, ['a'], 'the second time comes from memory')
  clock = 5000
  claimsOf('a')
  t.same(calls, ['a', 'a'], 'at its expiry it is verified again (and refused by the verifier if expired)')
})

t.test('failures are never remembered', async (t) => {
  let valid = false
  const { calls, verify } = counting(() => {
    if (!valid) throw new Error('bad signature')
    return { sub: 'u', sid: 's', expiresAt: null }
  })
  const claimsOf = createVerifiedTokens(verify)
  t.throws(() => claimsOf('x'), /bad signature/)
  t.throws(() => claimsOf('x'), /bad signature/)
  valid = true
  t.same(claimsOf('x'), { sub: 'u', sid: 's', expiresAt: null })
  t.equal(calls.length, 3)
})

t.test('only the exact token string hits, and at most `max` are kept', async (t) => {
  const { calls, verify } = counting((token) => ({ sub: token, sid: 's', expiresAt: null }))
  const claimsOf = createVerifiedTokens(verify, 2)
  claimsOf('a.b.c')
  t.equal(claimsOf('a.b.c ').sub, 'a.b.c ', 'a different string is verified on its own')
  claimsOf('third')
  claimsOf('a.b.c')
  t.same(calls, ['a.b.c', 'a.b.c ', 'third', 'a.b.c'], 'the oldest was dropped')
})
