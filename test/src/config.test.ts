import { chmodSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig, parseDuration, parseRate } from '../../src/config.js'
import { tempDir } from '../helper.js'

t.test('applies the contract defaults and generates a persistent secret', async (t) => {
  const dir = tempDir(t)
  const config = loadConfig({ DATA_DIR: dir })
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.dataDir, dir)
  t.equal(config.databaseUrl, null)
  t.equal(config.redisUrl, null)
  t.equal(config.tokenTtlMs, 30 * 86_400_000)
  t.equal(config.maxUploadBytes, 15_728_640)
  t.same(config.rateLimits, { login: { max: 10, windowMs: 60_000 }, api: { max: 600, windowMs: 60_000 }, ws: { max: 20, windowMs: 1000 } })
  t.ok(config.jwtSecret.length >= 32)
  t.equal(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim(), config.jwtSecret)
  t.equal(loadConfig({ DATA_DIR: dir }).jwtSecret, config.jwtSecret, 'the same secret on the next start')
  t.ok(Object.isFrozen(config))
})

t.test('converts and parses values', async (t) => {
  const config = loadConfig({ DATA_DIR: tempDir(t), PORT: '8080', TOKEN_TTL: '12h', RATE_LIMIT_WS: '5/s', MAX_UPLOAD_BYTES: '2048' })
  t.equal(config.port, 8080)
  t.equal(config.tokenTtlMs, 12 * 3_600_000)
  t.same(config.rateLimits.ws, { max: 5, windowMs: 1000 })
  t.equal(config.maxUploadBytes, 2048)
  t.same(parseRate('3/h'), { max: 3, windowMs: 3_600_000 })
  t.equal(parseDuration('900'), 900_000)
  t.throws(() => parseDuration('soon'), ConfigError)
})

t.test('push is off without PUSH_CONTACT; with it, the browsers\' push services are allowed unless PUSH_ENDPOINT_HOSTS says otherwise', async (t) => {
  t.equal(loadConfig({ DATA_DIR: tempDir(t) }).push, null)
  t.same(loadConfig({ DATA_DIR: tempDir(t), PUSH_CONTACT: 'mailto:grandpa@family.example' }).push, {
    contact: 'mailto:grandpa@family.example',
    endpointHosts: ['fcm.googleapis.com', 'updates.push.services.mozilla.com', '.push.apple.com', '.notify.windows.com']
  })
  const listed = loadConfig({ DATA_DIR: tempDir(t), PUSH_CONTACT: 'https://family.example/contact', PUSH_ENDPOINT_HOSTS: ' Push.Example.com , .push.apple.com,127.0.0.1 ' })
  t.same(listed.push?.endpointHosts, ['push.example.com', '.push.apple.com', '127.0.0.1'])
})

const invalid: Array<[string, Record<string, string>, RegExp]> = [
  ['a malformed DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
  ['a DATABASE_URL without a host', { DATABASE_URL: 'postgres://' }, /DATABASE_URL/],
  ['REDIS_URL without DATABASE_URL', { REDIS_URL: 'redis://127.0.0.1:6379' }, /REDIS_URL: needs DATABASE_URL/],
  ['no JWT_SECRET in production', { NODE_ENV: 'production' }, /JWT_SECRET: must be set/],
  ['a short JWT_SECRET in production', { NODE_ENV: 'production', JWT_SECRET: 'short' }, /JWT_SECRET/],
  ['a short JWT_SECRET anywhere', { JWT_SECRET: 'short' }, /JWT_SECRET: must be at least 32/],
  ['a non-numeric PORT', { PORT: 'eighty' }, /PORT/],
  ['an out-of-range PORT', { PORT: '70000' }, /PORT/],
  ['a bad rate', { RATE_LIMIT_LOGIN: '10 per minute' }, /RATE_LIMIT_LOGIN/],
  ['a zero rate', { RATE_LIMIT_API: '0/min' }, /RATE_LIMIT_API/],
  ['a bad TOKEN_TTL', { TOKEN_TTL: '-1d' }, /TOKEN_TTL/],
  ['a PUSH_CONTACT that is not mailto: or https:', { PUSH_CONTACT: 'grandpa@family.example' }, /PUSH_CONTACT/],
  ['a PUSH_ENDPOINT_HOSTS entry that is not a host', { PUSH_CONTACT: 'mailto:a@b.example', PUSH_ENDPOINT_HOSTS: 'fcm.googleapis.com,https://evil.example/' }, /PUSH_ENDPOINT_HOSTS: "https:\/\/evil.example\/"/]
]
for (const [name, env, message] of invalid) {
  t.test(`refuses ${name} with a readable message`, async (t) => {
    const err = t.throws(() => loadConfig({ DATA_DIR: tempDir(t), ...env }), ConfigError) as unknown as ConfigError
    t.match(err.message, /^Invalid configuration:\n/)
    t.match(err.message, message)
    t.notMatch(err.message, /\bat \//, 'no stack trace in the message')
  })
}

t.test('refuses an unwritable DATA_DIR', { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false }, async (t) => {
  const dir = join(tempDir(t), 'locked')
  mkdirSync(dir)
  chmodSync(dir, 0o500)
  t.throws(() => loadConfig({ DATA_DIR: join(dir, 'inner') }), /DATA_DIR/)
})

t.test('refuses a DATA_DIR that is a file', async (t) => {
  t.throws(() => loadConfig({ DATA_DIR: '/etc/hostname' }), /DATA_DIR: \/etc\/hostname is not a writable directory/)
})

t.test('accepts a production configuration with a long secret', async (t) => {
  const config = loadConfig({ DATA_DIR: tempDir(t), NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })
  t.equal(config.production, true)
  t.equal(config.jwtSecret, 'x'.repeat(32))
})
