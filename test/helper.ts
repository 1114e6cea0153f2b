import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance } from 'fastify'
import postgres from 'postgres'
import tap from 'tap'
import { buildApp, type AppOverrides } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { hashPassword } from '../src/auth/passwords.js'
import { count, type SQL } from 'drizzle-orm'
import { insertUser } from '../db/queries/users.js'
import { messages } from '../db/schema/index.js'
import { createPglite, usePglite } from '../db/embedded.js'
import type { Database } from '../db/client.js'
import { migrationsHash } from '../db/pglite-template.js'
import { PROJECT_ROOT } from '../db/paths.js'

export interface TestContext {
  teardown (fn: () => unknown): void
}

export const PASSWORD = 'correct horse battery'
export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789'

/** A throwaway DATA_DIR removed when the test ends. */
export function tempDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'family-chat-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Config as the server would load it, with test-friendly limits unless a test overrides them. */
export function testConfig (t: TestContext, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: tempDir(t),
    JWT_SECRET: TEST_SECRET,
    RATE_LIMIT_LOGIN: '1000/min',
    RATE_LIMIT_API: '100000/min',
    RATE_LIMIT_WS: '10000/s',
    ...(process.env.DATABASE_URL !== undefined ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env
  })
}

// A migrated PGlite, dumped once and cached by migration content: a new in-memory database then
// costs a tarball load (~0.8 s) instead of initdb plus migrations (~3 s).
let snapshot: Promise<Blob> | undefined
function pgliteSnapshot (): Promise<Blob> {
  snapshot ??= (async () => {
    const cacheDir = join(PROJECT_ROOT, 'node_modules', '.cache', 'family-chat')
    const file = join(cacheDir, `pglite-${migrationsHash().slice(0, 16)}.tar.gz`)
    try {
      return new Blob([readFileSync(file)])
    } catch {}
    const client = await createPglite()
    await usePglite(client).migrate({ seed: false })
    const blob = await client.dumpDataDir('gzip')
    await client.close()
    mkdirSync(cacheDir, { recursive: true })
    const tmp = `${file}.${process.pid}`
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()))
    renameSync(tmp, file)
    return blob
  })()
  return snapshot
}

// Even from the snapshot a PGlite takes most of a second to start, so the apps of one test file
// reuse them: an app's close empties its database (every table, session state, prepared
// statements) and hands it to the next app, which migrates and seeds it like a new install.
const idlePglites: PGlite[] = []
let poolTeardown = false
async function pooledPglite (): Promise<Database> {
  if (!poolTeardown) {
    poolTeardown = true
    // An open PGlite keeps the process alive: the file's process ends once its tests have.
    tap.teardown(async () => { await Promise.all(idlePglites.splice(0).map((client) => client.close())) })
  }
  const client = idlePglites.pop() ?? await createPglite({ loadDataDir: await pgliteSnapshot() })
  return {
    ...usePglite(client),
    async close () {
      await client.exec('discard all')
      const { rows } = await client.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'")
      await client.exec(`truncate ${rows.map((r) => r.name).join(', ')} cascade`)
      idlePglites.push(client)
    }
  }
}

/** A fresh, empty PostgreSQL database for one app, dropped afterwards. */
export async function freshPostgresDatabase (t: TestContext, baseUrl: string): Promise<string> {
  const name = `fc_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  t.teardown(async () => {
    const cleanup = postgres(baseUrl, { max: 1, onnotice: () => {} })
    await cleanup.unsafe(`drop database if exists ${name} with (force)`)
    await cleanup.end()
  })
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** The app under production options, on its own fresh database; closed when the test ends. */
export async function build (t: TestContext, env: Record<string, string> = {}, extra: AppOverrides = {}): Promise<FastifyInstance> {
  let config = testConfig(t, env)
  let overrides: AppOverrides = { ...extra }
  if (config.databaseUrl !== null) {
    config = { ...config, databaseUrl: await freshPostgresDatabase(t, config.databaseUrl) }
  } else {
    overrides = { ...overrides, database: await pooledPglite() }
  }
  const app = await buildApp(config, overrides)
  t.teardown(() => app.close())
  await app.ready()
  return app
}

export interface TestUser {
  id: string
  username: string
  token: string
}

// Hashing a password at production cost is the slowest part of most tests' set-up, so the users
// of one test process share one argon2id hash per password. bin/add-user's own hashing is tested in
// test/bin; a login still verifies the password against the stored hash as always.
const passwordHashes = new Map<string, Promise<string>>()

/** Creates a user as bin/add-user does (a member of Family), with the password's shared hash. */
export async function createUser (app: FastifyInstance, username: string, password = PASSWORD, displayName = username): Promise<string> {
  let passwordHash = passwordHashes.get(password)
  if (passwordHash === undefined) {
    passwordHash = hashPassword(password)
    passwordHashes.set(password, passwordHash)
  }
  const row = await insertUser(app.database.db, { username, displayName, passwordHash: await passwordHash })
  if (row === undefined) throw new Error(`user ${username} already exists`)
  return row.id
}

export async function login (app: FastifyInstance, username: string, password = PASSWORD, userAgent = 'tap'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'user-agent': userAgent }, payload: { username, password } })
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`)
  return (res.json() as { token: string }).token
}

/** How many messages are stored, in every room (for "nothing was stored"). */
export async function storedMessageCount (app: FastifyInstance): Promise<number> {
  const [row] = await app.database.db.select({ n: count() }).from(messages)
  return row!.n
}

/** The rows of a raw query on the app's database: postgres-js answers an array, PGlite `{ rows }`. */
export async function selectRows (app: FastifyInstance, query: SQL): Promise<unknown[]> {
  const result: unknown = await app.database.db.execute(query)
  return Array.isArray(result) ? [...result] : (result as { rows: unknown[] }).rows
}

/** An app with two members, each logged in: most multi-user tests start here. */
export async function aliceAndBob (t: TestContext, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<{ app: FastifyInstance, alice: TestUser, bob: TestUser }> {
  const app = await build(t, env, overrides)
  return { app, alice: await userWithToken(app, 'alice'), bob: await userWithToken(app, 'bob') }
}

/** createUser + login. */
export async function userWithToken (app: FastifyInstance, username: string): Promise<TestUser> {
  const id = await createUser(app, username)
  return { id, username, token: await login(app, username) }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
