import t from 'tap'
import Fastify, { type FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import authPlugin from '../../plugins/auth.js'
import chatPlugin from '../../plugins/chat.js'
import dbPlugin from '../../plugins/db.js'
import mediaPlugin from '../../plugins/media.js'
import redisPlugin from '../../plugins/redis.js'
import securityPlugin from '../../plugins/security.js'

// Each plugin checks its options before it touches anything: registration fails with the plugin's
// name and what is wrong, as the official plugins do.
const cases: Array<[string, unknown, unknown, RegExp]> = [
  ['db', dbPlugin, { databaseUrl: 'mysql://x', dataDir: '/tmp' }, /^db: invalid options: databaseUrl/],
  ['auth', authPlugin, { jwtSecret: 'short', tokenTtlMs: 60_000 }, /^auth: invalid options: jwtSecret/],
  ['media', mediaPlugin, { dataDir: '', secret: 'x'.repeat(32), cloudinaryUrl: null }, /^media: invalid options: dataDir/],
  ['chat', chatPlugin, {}, /^chat: invalid options: options/],
  ['redis', redisPlugin, { redisUrl: 'http://x', baselines: async () => new Map() }, /^redis: invalid options: redisUrl/],
  ['security', securityPlugin, { imageOrigins: ['http://plain'] }, /^security: invalid options: imageOrigins/]
]

for (const [name, plugin, options, message] of cases) {
  t.test(`${name}: bad options fail registration with a clear message`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    // Stand-ins for the plugins it depends on: their own options are not under test here.
    for (const dependency of ['db', 'media', 'redis']) if (dependency !== name) app.register(fp(async () => {}, { name: dependency }))
    app.register(plugin as FastifyPluginAsync, options as never)
    await t.rejects(async () => { await app.ready() }, message)
  })
}
