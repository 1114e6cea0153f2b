import { randomBytes } from 'node:crypto'
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join, resolve } from 'node:path'
import { Type, type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { PROJECT_ROOT } from '../db/paths.js'

const RATE = '^[1-9][0-9]*/(s|min|h)$'
const DURATION = '^[1-9][0-9]*(ms|s|m|h|d)?$'

/** The environment contract (docs/protocol.md, "Settings"), with its defaults. */
const EnvSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  CLOUDINARY_URL: Type.Optional(Type.String({ pattern: '^cloudinary://' })),
  JWT_SECRET: Type.Optional(Type.String()),
  TOKEN_TTL: Type.String({ pattern: DURATION, default: '30d' }),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, default: 15 * 1024 * 1024 }),
  RATE_LIMIT_LOGIN: Type.String({ pattern: RATE, default: '10/min' }),
  RATE_LIMIT_API: Type.String({ pattern: RATE, default: '600/min' }),
  RATE_LIMIT_WS: Type.String({ pattern: RATE, default: '20/s' }),
  TRUST_PROXY: Type.Optional(Type.String()),
  BACKUP_DIR: Type.Optional(Type.String({ minLength: 1 })),
  BACKUP_EVERY: Type.String({ pattern: DURATION, default: '1d' }),
  BACKUP_KEEP: Type.Integer({ minimum: 1, default: 7 }),
  PUSH_CONTACT: Type.Optional(Type.String({ pattern: '^(mailto:|https://)' })),
  PUSH_ENDPOINT_HOSTS: Type.Optional(Type.String())
})
type Env = Static<typeof EnvSchema>
const envValidator = Compile(EnvSchema)

export interface RateLimit {
  readonly max: number
  readonly windowMs: number
}

export interface Config {
  readonly production: boolean
  readonly logLevel: Env['LOG_LEVEL']
  readonly port: number
  readonly host: string
  /** Absolute; holds the embedded database, local media, the JWT secret and the admin socket. */
  readonly dataDir: string
  /** null → embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | null
  readonly redisUrl: string | null
  /** Proxy addresses or CIDR ranges whose X-Forwarded-For is believed; empty: none. */
  readonly trustProxy: readonly string[]
  readonly cloudinaryUrl: string | null
  readonly jwtSecret: string
  readonly tokenTtlMs: number
  readonly maxUploadBytes: number
  readonly rateLimits: { readonly login: RateLimit, readonly api: RateLimit, readonly ws: RateLimit }
  /** Scheduled backups (BACKUP_DIR), or null when off. */
  readonly backup: BackupSchedule | null
  /** Web Push (PUSH_CONTACT), or null when off. */
  readonly push: PushSettings | null
}

export interface PushSettings {
  /** The VAPID subject: how a push service reaches the operator. */
  readonly contact: string
  /** Hosts subscription endpoints may point at; a leading '.' matches subdomains. */
  readonly endpointHosts: readonly string[]
}

/** Chrome's, Firefox's, Safari's and Edge's push services. */
export const DEFAULT_PUSH_ENDPOINT_HOSTS = Object.freeze([
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '.push.apple.com',
  '.notify.windows.com'
])

export interface BackupSchedule {
  /** Absolute; where the server writes its backups. */
  readonly dir: string
  readonly everyMs: number
  /** How many of the newest backups to keep. */
  readonly keep: number
}

/** Thrown for a configuration the server cannot serve; `message` lists every problem, one per line. */
export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const WINDOW_MS = { s: 1000, min: 60_000, h: 3_600_000 } as const
const DURATION_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

export function parseRate (value: string): RateLimit {
  const [max, unit] = value.split('/') as [string, keyof typeof WINDOW_MS]
  return { max: Number(max), windowMs: WINDOW_MS[unit] }
}

export function parseDuration (value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value)
  if (match === null) throw new ConfigError([`"${value}" is not a duration such as 30d, 12h or 900s`])
  return Number(match[1]) * DURATION_MS[(match[2] ?? 's') as keyof typeof DURATION_MS]
}

function describe (path: string, message: string): string {
  const name = path.replace(/^\//, '') || 'environment'
  return `${name}: ${message}`
}

/**
 * Reads the environment once into a frozen, typed Config. Creates DATA_DIR and, outside
 * production, a persistent JWT secret in it, so tokens survive restarts on a bare machine.
 * Throws ConfigError listing everything that is wrong.
 */
export function loadConfig (source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const env = envValidator.Convert(envValidator.Default(raw))
  if (!envValidator.Check(env)) {
    throw new ConfigError(envValidator.Errors(env).map((e) => describe(e.instancePath, e.message)))
  }

  const problems: string[] = []
  const production = env.NODE_ENV === 'production'
  if (env.DATABASE_URL !== undefined) {
    try {
      const url = new URL(env.DATABASE_URL)
      if (url.hostname === '' && url.searchParams.get('host') === null) problems.push('DATABASE_URL: has no host')
    } catch {
      problems.push('DATABASE_URL: is not a valid URL')
    }
  }
  if (env.REDIS_URL !== undefined && env.DATABASE_URL === undefined) {
    problems.push('REDIS_URL: needs DATABASE_URL too (the embedded database serves a single process)')
  }
  const trustProxy = (env.TRUST_PROXY ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  for (const entry of trustProxy) {
    if (!isAddressOrRange(entry)) problems.push(`TRUST_PROXY: "${entry}" is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)`)
  }
  if (production && (env.JWT_SECRET === undefined || env.JWT_SECRET.length < 32)) {
    problems.push('JWT_SECRET: must be set to at least 32 characters when NODE_ENV=production')
  } else if (env.JWT_SECRET !== undefined && env.JWT_SECRET.length < 32) {
    problems.push('JWT_SECRET: must be at least 32 characters')
  }

  const dataDir = resolve(PROJECT_ROOT, env.DATA_DIR)
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    accessSync(dataDir, constants.W_OK | constants.R_OK)
  } catch (err) {
    problems.push(`DATA_DIR: ${dataDir} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const backupDir = env.BACKUP_DIR === undefined ? null : resolve(PROJECT_ROOT, env.BACKUP_DIR)
  if (backupDir !== null) {
    try {
      mkdirSync(backupDir, { recursive: true, mode: 0o700 })
      accessSync(backupDir, constants.W_OK | constants.R_OK)
    } catch (err) {
      problems.push(`BACKUP_DIR: ${backupDir} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  const backupEveryMs = parseDuration(env.BACKUP_EVERY)
  const endpointHosts = env.PUSH_ENDPOINT_HOSTS === undefined
    ? DEFAULT_PUSH_ENDPOINT_HOSTS
    : env.PUSH_ENDPOINT_HOSTS.split(',').map((host) => host.trim().toLowerCase()).filter((host) => host !== '')
  for (const host of endpointHosts) {
    if (!/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:]+\]$/.test(host)) problems.push(`PUSH_ENDPOINT_HOSTS: "${host}" is not a host name (e.g. fcm.googleapis.com or .push.apple.com)`)
  }
  if (problems.length > 0) throw new ConfigError(problems)

  return Object.freeze({
    production,
    logLevel: env.LOG_LEVEL,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL ?? null,
    redisUrl: env.REDIS_URL ?? null,
    trustProxy: Object.freeze(trustProxy),
    cloudinaryUrl: env.CLOUDINARY_URL ?? null,
    jwtSecret: env.JWT_SECRET ?? readOrCreateSecret(dataDir),
    tokenTtlMs: parseDuration(env.TOKEN_TTL),
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    rateLimits: Object.freeze({
      login: parseRate(env.RATE_LIMIT_LOGIN),
      api: parseRate(env.RATE_LIMIT_API),
      ws: parseRate(env.RATE_LIMIT_WS)
    }),
    backup: backupDir === null ? null : Object.freeze({ dir: backupDir, everyMs: backupEveryMs, keep: env.BACKUP_KEEP }),
    push: env.PUSH_CONTACT === undefined ? null : Object.freeze({ contact: env.PUSH_CONTACT, endpointHosts: Object.freeze([...endpointHosts]) })
  })
}

function isAddressOrRange (entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (bits === undefined) return true
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}

function readOrCreateSecret (dataDir: string): string {
  const file = join(dataDir, 'jwt-secret')
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const secret = randomBytes(48).toString('base64url')
  // 'wx' so two processes starting at once cannot both write: the loser reads the winner's.
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' })
    return secret
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return readFileSync(file, 'utf8').trim()
  }
}
