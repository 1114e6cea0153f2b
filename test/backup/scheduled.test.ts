import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../../db/client.js'
import { BACKUP_NAME } from '../../src/backup/names.js'
import { createUser, tempDir } from '../helper.js'
import { adminEnv } from '../fixtures/admin-env.js'
import { serve } from '../fixtures/served-app.js'
import { eventually } from '../fixtures/eventually.js'
import { buildWithLog } from '../fixtures/logged-app.js'

const backupsIn = (dir: string): string[] => readdirSync(dir).filter((f) => BACKUP_NAME.test(f)).sort()

t.test('with BACKUP_DIR the server backs up every BACKUP_EVERY and keeps the newest BACKUP_KEEP', async (t) => {
  const dir = tempDir(t)
  // What a backup killed an hour ago left, and what a running one is writing (this process's).
  const killed = join(dir, '.family-chat-2026-01-01T00-00-00Z.tar.2147483646.tmp')
  const running = join(dir, `.family-chat-2026-01-01T00-00-00Z.tar.${process.pid}.tmp`)
  for (const file of [killed, `${killed}.spool`, running]) {
    writeFileSync(file, 'partial')
    utimesSync(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000))
  }
  const env = { ...await adminEnv(t), BACKUP_DIR: dir, BACKUP_EVERY: '1s', BACKUP_KEEP: '2' }
  const app = await serve(t, env)
  await createUser(app, 'alice')
  const seen = new Set<string>()
  await eventually('three backups written, two kept', async () => {
    const now = backupsIn(dir)
    now.forEach((name) => seen.add(name))
    return seen.size >= 3 && now.length === 2 ? true : undefined
  }, { timeoutMs: 30_000 })
  const kept = backupsIn(dir)
  t.same(kept, [...seen].sort().slice(-2), 'the two newest are the ones kept')
  t.notOk(existsSync(killed) || existsSync(`${killed}.spool`), 'a killed backup\'s temporary files are gone')
  t.ok(existsSync(running), 'a live process\'s are left alone')
  t.same((await app.inject({ url: '/ready' })).json(), { status: 'ok', database: 'ok', backup: 'ok' })
})

t.test('a failing backup is logged and shown by /ready until one works again', async (t) => {
  const dir = tempDir(t)
  const { app, log } = await buildWithLog(t, { BACKUP_DIR: dir, BACKUP_EVERY: '1s' })
  await eventually('a first backup', async () => backupsIn(dir).length > 0 ? true : undefined, { timeoutMs: 30_000 })
  rmSync(dir, { recursive: true })
  const failing = await eventually('/ready saying the backups fail', async () => {
    const res = await app.inject({ url: '/ready' })
    return (res.json() as { backup?: string }).backup === 'failing' ? res : undefined
  }, { timeoutMs: 30_000 })
  t.equal(failing.statusCode, 200, 'the server still serves: a failing backup is not an outage')
  const logged = log().split('\n').filter((l) => l.includes('scheduled backup failed')).map((l) => JSON.parse(l) as { level: number, dir: string })
  t.ok(logged.length > 0 && logged.every((l) => l.level === 50 && l.dir === dir), 'logged as an error, with the folder')
  mkdirSync(dir)
  await eventually('/ready saying the backups work again', async () => {
    const res = await app.inject({ url: '/ready' })
    return (res.json() as { backup?: string }).backup === 'ok' ? true : undefined
  }, { timeoutMs: 30_000 })
  t.ok(backupsIn(dir).length > 0)
})

t.test('without BACKUP_DIR /ready says nothing of backups', async (t) => {
  const app = await serve(t, await adminEnv(t))
  t.same((await app.inject({ url: '/ready' })).json(), { status: 'ok', database: 'ok' })
})

t.test('one instance at a time: the lock is refused while another holds it', { skip: process.env.DATABASE_URL === undefined && 'PostgreSQL only: the embedded database has one process' }, async (t) => {
  const env = await adminEnv(t)
  const first = await openDatabase({ databaseUrl: env.DATABASE_URL!, dataDir: env.DATA_DIR! })
  const second = await openDatabase({ databaseUrl: env.DATABASE_URL!, dataDir: env.DATA_DIR! })
  t.teardown(async () => { await first.close(); await second.close() })
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  let entered!: () => void
  const inside = new Promise<void>((resolve) => { entered = resolve })
  const holder = first.exclusive('job', async () => { entered(); await held; return 'first' })
  await inside
  t.same(await second.exclusive('job', async () => 'second'), { ran: false }, 'refused while held')
  release()
  t.same(await holder, { ran: true, value: 'first' })
  t.same(await second.exclusive('job', async () => 'second'), { ran: true, value: 'second' }, 'free once the holder is done')
})
