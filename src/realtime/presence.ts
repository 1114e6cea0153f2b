import type { Redis } from 'ioredis'

/**
 * Who is online across every instance, and which sessions have a socket in the foreground (those
 * get no push). `joined`/`left` are told of a user's first and last socket on this instance and
 * answer whether the user's online state changed as a whole; `foregroundChanged` of a session
 * starting or ceasing to have a visible socket here.
 */
export interface Presence {
  joined (userId: string): Promise<boolean>
  left (userId: string): Promise<boolean>
  onlineUsers (): Promise<Set<string>>
  foregroundChanged (sessionId: string, inForeground: boolean): void
  /** Which of `sessionIds` have a visible socket on any instance. */
  inForeground (sessionIds: readonly string[]): Promise<Set<string>>
  close (): Promise<void>
}

/** What this instance's registry knows. */
export interface LocalView {
  users: () => Iterable<string>
  /** Sessions with a visible socket here. */
  foreground: () => Iterable<string>
  isForeground: (sessionId: string) => boolean
}

const localForeground = (local: LocalView, sessionIds: readonly string[]): Set<string> =>
  new Set(sessionIds.filter((id) => local.isForeground(id)))

/** One instance: the registry is the whole truth. */
export function createLocalPresence (local: LocalView): Presence {
  return {
    joined: async () => true,
    left: async () => true,
    onlineUsers: async () => new Set(local.users()),
    foregroundChanged: () => {},
    inForeground: async (sessionIds) => localForeground(local, sessionIds),
    close: async () => {}
  }
}

const PREFIX = 'family-chat:presence'
const INSTANCES = `${PREFIX}:instances`

/**
 * Presence shared through Redis: each instance keeps a hash of its online users, a set of its
 * foreground sessions and a heartbeat in a sorted set. An instance whose heartbeat stops (it died) is reaped by a survivor, which
 * announces its users offline unless they are online elsewhere — nobody stays "online" forever.
 * If Redis is down, answers fall back to this instance's own view.
 */
export function createRedisPresence (options: {
  redis: Redis
  instanceId: string
  local: LocalView
  announceOffline: (userId: string) => void
  heartbeatMs?: number
}): Presence {
  const { redis, instanceId } = options
  const heartbeatMs = options.heartbeatMs ?? 10_000
  const deadAfterMs = heartbeatMs * 3
  const mine = `${PREFIX}:${instanceId}`
  const foregroundKey = (id: string): string => `${PREFIX}:${id}:foreground`
  const myForeground = foregroundKey(instanceId)
  const liveInstances = (): Promise<string[]> => redis.zrangebyscore(INSTANCES, Date.now() - deadAfterMs, '+inf')

  const othersOnline = async (userId: string): Promise<boolean> => {
    const others = (await liveInstances()).filter((id) => id !== instanceId)
    if (others.length === 0) return false
    const hits = await Promise.all(others.map((id) => redis.hexists(`${PREFIX}:${id}`, userId)))
    return hits.some((hit) => hit === 1)
  }

  async function beat (): Promise<void> {
    const users = [...options.local.users()]
    const foreground = [...options.local.foreground()]
    const multi = redis.multi().zadd(INSTANCES, Date.now(), instanceId).del(mine).del(myForeground)
    if (users.length > 0) multi.hset(mine, Object.fromEntries(users.map((u) => [u, '1'])))
    if (foreground.length > 0) multi.sadd(myForeground, ...foreground)
    await multi.pexpire(mine, deadAfterMs).pexpire(myForeground, deadAfterMs).exec()
    await reapDead()
  }

  async function reapDead (): Promise<void> {
    const dead = await redis.zrangebyscore(INSTANCES, '-inf', Date.now() - deadAfterMs)
    for (const id of dead) {
      // One survivor reaps each dead instance.
      if (await redis.set(`${PREFIX}:reaped:${id}`, '1', 'PX', deadAfterMs * 2, 'NX') !== 'OK') continue
      const users = await redis.hkeys(`${PREFIX}:${id}`)
      await redis.multi().zrem(INSTANCES, id).del(`${PREFIX}:${id}`).del(foregroundKey(id)).exec()
      const local = new Set(options.local.users())
      for (const userId of users) {
        if (!local.has(userId) && !await othersOnline(userId)) options.announceOffline(userId)
      }
    }
  }

  const timer = setInterval(() => { beat().catch(() => {}) }, heartbeatMs)
  timer.unref()
  beat().catch(() => {})

  return {
    async joined (userId) {
      try {
        await redis.multi().hset(mine, userId, '1').pexpire(mine, deadAfterMs).zadd(INSTANCES, Date.now(), instanceId).exec()
        return !await othersOnline(userId)
      } catch {
        return true
      }
    },
    async left (userId) {
      try {
        await redis.hdel(mine, userId)
        return !await othersOnline(userId)
      } catch {
        return true
      }
    },
    async onlineUsers () {
      const online = new Set(options.local.users())
      try {
        const instances = await liveInstances()
        for (const users of await Promise.all(instances.map((id) => redis.hkeys(`${PREFIX}:${id}`)))) {
          for (const userId of users) online.add(userId)
        }
      } catch {}
      return online
    },
    foregroundChanged (sessionId, inForeground) {
      const change = inForeground
        ? redis.multi().sadd(myForeground, sessionId).pexpire(myForeground, deadAfterMs).exec()
        : redis.srem(myForeground, sessionId)
      change.catch(() => {})
    },
    // If Redis is down, a device in the foreground elsewhere may get a push it did not need;
    // never the other way round.
    async inForeground (sessionIds) {
      const found = localForeground(options.local, sessionIds)
      const rest = sessionIds.filter((id) => !found.has(id))
      if (rest.length === 0) return found
      try {
        const others = (await liveInstances()).filter((id) => id !== instanceId)
        const answers = await Promise.all(others.map((id) => redis.smismember(foregroundKey(id), ...rest)))
        for (const hits of answers) hits.forEach((hit, i) => { if (hit === 1) found.add(rest[i]!) })
      } catch {}
      return found
    },
    async close () {
      clearInterval(timer)
      await redis.multi().zrem(INSTANCES, instanceId).del(mine).del(myForeground).exec().catch(() => {})
    }
  }
}
