import type { Redis } from 'ioredis'

/**
 * Who is online across every instance. `joined`/`left` are told of a user's first and last socket
 * on this instance and answer whether the user's online state changed as a whole.
 */
export interface Presence {
  joined (userId: string): Promise<boolean>
  left (userId: string): Promise<boolean>
  onlineUsers (): Promise<Set<string>>
  close (): Promise<void>
}

/** One instance: the registry is the whole truth. */
export function createLocalPresence (localUsers: () => Iterable<string>): Presence {
  return {
    joined: async () => true,
    left: async () => true,
    onlineUsers: async () => new Set(localUsers()),
    close: async () => {}
  }
}

const PREFIX = 'family-chat:presence'
const INSTANCES = `${PREFIX}:instances`

/**
 * Presence shared through Redis: each instance keeps a hash of its online users and a heartbeat in
 * a sorted set. An instance whose heartbeat stops (it died) is reaped by a survivor, which
 * announces its users offline unless they are online elsewhere — nobody stays "online" forever.
 * If Redis is down, answers fall back to this instance's own view.
 */
export function createRedisPresence (options: {
  redis: Redis
  instanceId: string
  localUsers: () => Iterable<string>
  announceOffline: (userId: string) => void
  heartbeatMs?: number
}): Presence {
  const { redis, instanceId } = options
  const heartbeatMs = options.heartbeatMs ?? 10_000
  const deadAfterMs = heartbeatMs * 3
  const mine = `${PREFIX}:${instanceId}`

  const othersOnline = async (userId: string): Promise<boolean> => {
    const instances = await redis.zrangebyscore(INSTANCES, Date.now() - deadAfterMs, '+inf')
    const others = instances.filter((id) => id !== instanceId)
    if (others.length === 0) return false
    const hits = await Promise.all(others.map((id) => redis.hexists(`${PREFIX}:${id}`, userId)))
    return hits.some((hit) => hit === 1)
  }

  async function beat (): Promise<void> {
    const users = [...options.localUsers()]
    const multi = redis.multi().zadd(INSTANCES, Date.now(), instanceId).del(mine)
    if (users.length > 0) multi.hset(mine, Object.fromEntries(users.map((u) => [u, '1'])))
    await multi.pexpire(mine, deadAfterMs).exec()
    await reapDead()
  }

  async function reapDead (): Promise<void> {
    const dead = await redis.zrangebyscore(INSTANCES, '-inf', Date.now() - deadAfterMs)
    for (const id of dead) {
      // One survivor reaps each dead instance.
      if (await redis.set(`${PREFIX}:reaped:${id}`, '1', 'PX', deadAfterMs * 2, 'NX') !== 'OK') continue
      const users = await redis.hkeys(`${PREFIX}:${id}`)
      await redis.multi().zrem(INSTANCES, id).del(`${PREFIX}:${id}`).exec()
      const local = new Set(options.localUsers())
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
      const online = new Set(options.localUsers())
      try {
        const instances = await redis.zrangebyscore(INSTANCES, Date.now() - deadAfterMs, '+inf')
        for (const users of await Promise.all(instances.map((id) => redis.hkeys(`${PREFIX}:${id}`)))) {
          for (const userId of users) online.add(userId)
        }
      } catch {}
      return online
    },
    async close () {
      clearInterval(timer)
      await redis.multi().zrem(INSTANCES, instanceId).del(mine).exec().catch(() => {})
    }
  }
}
