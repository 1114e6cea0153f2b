import fp from 'fastify-plugin'
import { checkOptions, Type } from './options.js'
import type { RedisFanout } from '../src/realtime/redis-fanout.js'

const RedisPluginOptionsSchema = Type.Object({ redisUrl: Type.Union([Type.String({ pattern: '^rediss?://' }), Type.Null()]) })
export interface RedisPluginOptions {
  redisUrl: string | null
  /** Each room's last event number, read when the subscription (re)starts (the chat service's). */
  baselines: () => Promise<Map<string, number>>
}

/** With REDIS_URL: the one owner of this instance's Redis connections (fan-out, presence, rate limits). */
export default fp<RedisPluginOptions>(async (app, opts) => {
  checkOptions('redis', RedisPluginOptionsSchema, { redisUrl: opts.redisUrl })
  if (opts.redisUrl === null) {
    app.decorate('redisFanout', null)
    return
  }
  // ioredis (about 25 MiB) loads only when there is a Redis to talk to.
  const { createRedisFanout } = await import('../src/realtime/redis-fanout.js')
  const fanout = createRedisFanout({ url: opts.redisUrl, log: app.log, baselines: opts.baselines })
  try {
    await fanout.ready()
  } catch (err) {
    await fanout.close()
    throw new Error(`cannot reach Redis at REDIS_URL: ${(err as Error).message}`)
  }
  app.decorate('redisFanout', fanout)
  app.addHook('onClose', () => fanout.close())
}, { name: 'redis', fastify: '5.x' })

declare module 'fastify' {
  interface FastifyInstance {
    redisFanout: RedisFanout | null
  }
}
