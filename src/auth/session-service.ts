import { insertSession, listLiveSessions, revokeSessions, touchLiveSession, type LiveSession } from '../../db/queries/sessions.js'
import type { SessionRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'
import { unauthorized } from '../errors.js'

/** Who a request or a socket acts as, from a verified token naming a live session. */
export interface Auth {
  userId: string
  sessionId: string
  /** When the token or its session expires, whichever is first (epoch ms). */
  expiresAt: number
}

/** How long a checked session is trusted without asking the database again. */
export const SESSION_CACHE_MS = 30_000

interface CacheEntry extends LiveSession {
  checkedAt: number
}

export type RevocationListener = (sessionIds: readonly string[], userId: string) => void

/**
 * Decides whether a token's session is live. Positive answers are cached briefly so a request
 * is not a database round trip; every revocation in this process clears the cache at once and
 * tells listeners (the realtime layer closes those sockets with 4001).
 */
export function createSessionService (db: Db, options: { tokenTtlMs: number, now?: () => number }) {
  const now = options.now ?? (() => Date.now())
  const cache = new Map<string, CacheEntry>()
  const listeners = new Set<RevocationListener>()

  function forget (sessionIds: readonly string[], userId: string): void {
    for (const id of sessionIds) cache.delete(id)
    if (sessionIds.length === 0) return
    for (const listener of listeners) listener(sessionIds, userId)
  }

  const service = {
    async open (userId: string, userAgent: string | null): Promise<LiveSession> {
      const row = await insertSession(db, {
        userId,
        userAgent: userAgent === null ? null : userAgent.slice(0, 256),
        expiresAt: new Date(now() + options.tokenTtlMs)
      })
      cache.set(row.id, { id: row.id, userId, expiresAt: row.expiresAt, checkedAt: now() })
      return { id: row.id, userId, expiresAt: row.expiresAt }
    },

    /** The live session `sessionId` of `userId`, or null if revoked, expired, disabled or unknown. */
    async check (sessionId: string, userId: string): Promise<LiveSession | null> {
      const at = now()
      const cached = cache.get(sessionId)
      if (cached !== undefined && at - cached.checkedAt < SESSION_CACHE_MS && cached.expiresAt.getTime() > at) {
        return cached.userId === userId ? cached : null
      }
      cache.delete(sessionId)
      const live = await touchLiveSession(db, sessionId)
      if (live === undefined || live.userId !== userId) return null
      cache.set(sessionId, { ...live, checkedAt: at })
      return live
    },

    /** Throws `unauthorized` unless `auth` is still good: not expired, its session live (each WS request frame). */
    async confirm (auth: Auth): Promise<void> {
      if (now() >= auth.expiresAt) throw unauthorized('Token expired')
      if (await service.check(auth.sessionId, auth.userId) === null) throw unauthorized('Session revoked or expired')
    },

    /** The user's live sessions, most recently seen first. */
    list (userId: string): Promise<SessionRow[]> {
      return listLiveSessions(db, userId)
    },

    /** Revokes and returns the ids revoked. */
    async revoke (userId: string, which: Parameters<typeof revokeSessions>[2]): Promise<string[]> {
      const ids = await revokeSessions(db, userId, which)
      forget(ids, userId)
      return ids
    },

    /** For revocations made elsewhere (the admin socket): drop from the cache and notify. */
    forget,

    /** Drops sessions from the cache only (revoked on another instance, which already notified). */
    evict (sessionIds: readonly string[]): void {
      for (const id of sessionIds) cache.delete(id)
    },

    onRevoked (listener: RevocationListener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
  return service
}

export type SessionService = ReturnType<typeof createSessionService>
