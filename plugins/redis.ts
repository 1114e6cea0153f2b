import fp from 'fastify-plugin'
import { listRoomLastSeqs } from '../db/queries/rooms.js'
import { createRedisFanout, type RedisFanout } from '../src/realtime/redis-fanout.js'

export interface RedisPluginOptions {
  redisUrl: string | null
}

/** With REDIS_URL: the one owner of this instance's Redis connections (fan-out, presence, rate limits). */
export default fp<RedisPluginOptions>(async (app, opts) => {
  if (opts.redisUrl === null) {
    app.decorate('redisFanout', null)
    return
  }
  const fanout = createRedisFanout({ url: opts.redisUrl, log: app.log, baselines: () => listRoomLastSeqs(app.db) })
  try {
    await fanout.ready()
  } catch (err) {
    await fanout.close()
    throw new Error(`cannot reach Redis at REDIS_URL: ${(err as Error).message}`)
  }
  app.decorate('redisFanout', fanout)
  app.addHook('onClose', () => fanout.close())
}, { name: 'redis', dependencies: ['db'] })

declare module 'fastify' {
  interface FastifyInstance {
    redisFanout: RedisFanout | null
  }
}
