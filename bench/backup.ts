// `npm run bench:backup`: what a backup costs the family while the server keeps serving, on the
// embedded database (whose one connection writers share with the backup's snapshot) and, with
// BENCH_DB=postgres, on PostgreSQL. Measured in one run: a writer's append latency with no backup
// at a family's pace (the reference) and during one, and the process's memory during backups of a small and a ten
// times larger family (flat memory: the larger one's peak is no higher). Writes
// bench/results/backup.json.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { eq, sql } from 'drizzle-orm'
import postgres from 'postgres'
import { openDatabase, type Database } from '../db/client.js'
import { PROJECT_ROOT } from '../db/paths.js'
import { familyRoomId } from '../db/queries/rooms.js'
import { rooms, users } from '../db/schema/index.js'
import { writeBackup } from '../src/backup/backup.js'
import { openMediaStore } from '../src/media/open-store.js'
import type { MediaStore } from '../src/media/media-store.js'

const engine = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite'
const SIZES = process.env.BENCH_BACKUP_SMALL === '1' ? [{ messages: 1000, photos: 10 }, { messages: 10_000, photos: 100 }] : [{ messages: 10_000, photos: 200 }, { messages: 100_000, photos: 2_000 }]
const PHOTO_BYTES = 150_000

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
const mib = (bytes: number): number => Math.round(bytes / 1048576)

async function openTarget (dataDir: string): Promise<{ database: Database, drop (): Promise<void> }> {
  if (engine === 'pglite') return { database: await openDatabase({ databaseUrl: null, dataDir }), drop: async () => {} }
  const base = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test'
  const name = `fc_bench_backup_${process.pid}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name}`)
  await admin.unsafe(`create database ${name}`)
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    database: await openDatabase({ databaseUrl: url.toString(), dataDir }),
    async drop () { await admin.unsafe(`drop database if exists ${name} with (force)`); await admin.end() }
  }
}

/** Grows the family to `messages` messages, `photos` of them with a photo file stored. */
async function grow (database: Database, store: MediaStore, have: { messages: number, photos: number }, to: { messages: number, photos: number }): Promise<void> {
  const db = database.db
  const roomId = await familyRoomId(db)
  // After whatever the measurements' writer appended.
  const [{ lastSeq }] = await db.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId)) as [{ lastSeq: number }]
  const last = lastSeq + to.messages - have.messages
  await db.execute(sql`
    insert into messages (id, room_id, seq, event_seq, sender_id, body)
    select gen_random_uuid(), ${roomId}::uuid, g, g, (select id from users limit 1), 'a message of about the length families write, number ' || g
    from generate_series(${lastSeq + 1}::int, ${last}::int) g`)
  await db.update(rooms).set({ lastSeq: last }).where(eq(rooms.id, roomId))
  for (let i = have.photos; i < to.photos; i++) {
    const image = await store.put({ full: randomBytes(PHOTO_BYTES), thumb: randomBytes(PHOTO_BYTES / 10), width: 1600, height: 1200, format: 'jpeg' })
    await db.execute(sql`update messages set image_key = ${image.imageKey}, thumb_key = ${image.thumbKey}, image_width = 1600, image_height = 1200
      where room_id = ${roomId}::uuid and seq = ${i + 1}::int`)
  }
}

const WRITES_PER_SECOND = 50

/**
 * Appends a message every 1/WRITES_PER_SECOND s (a family at ten times its busiest) until `stop`,
 * answering each append's latency in ms, counted from when it was due: a request also waits
 * while the event loop is blocked (PGlite runs a statement synchronously), not only for the database.
 */
async function writer (database: Database, roomId: string, senderId: string, stop: Promise<unknown>): Promise<number[]> {
  const state = { done: false }
  stop.finally(() => { state.done = true }).catch(() => {})
  const latencies: number[] = []
  const period = 1000 / WRITES_PER_SECOND
  for (let due = performance.now(); !state.done; due += period) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))
    await database.appendMessages(roomId, [{ senderId, clientId: null, body: 'written during the measurement', imageKey: null, thumbKey: null, imageWidth: null, imageHeight: null, replyToId: null }])
    latencies.push(performance.now() - due)
  }
  return latencies.sort((a, b) => a - b)
}

async function main (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'family-chat-bench-backup-'))
  mkdirSync(join(dir, 'data'))
  const { database, drop } = await openTarget(join(dir, 'data'))
  const results: Array<Record<string, number | string>> = []
  try {
    await database.migrate()
    const hash = 'not-a-real-hash'
    await database.db.execute(sql`insert into users (id, username, display_name, password_hash) values (gen_random_uuid(), 'bench', 'Bench', ${hash})`)
    const [{ id: senderId }] = await database.db.select({ id: users.id }).from(users).limit(1) as [{ id: string }]
    const roomId = await familyRoomId(database.db)
    await database.db.execute(sql`insert into room_members (room_id, user_id) select ${roomId}::uuid, id from users`)
    const { store } = await openMediaStore({ dataDir: join(dir, 'data'), secret: 'x'.repeat(32), cloudinaryUrl: null })
    let have = { messages: 0, photos: 0 }
    for (const size of SIZES) {
      await grow(database, store, have, size)
      have = size
      // The reference: the same writer for two seconds with no backup running.
      const idle = await writer(database, roomId, senderId, new Promise((resolve) => setTimeout(resolve, 2000)))
      global.gc?.()
      const baseline = process.memoryUsage().rss
      let peak = baseline
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
      const loop = monitorEventLoopDelay({ resolution: 1 })
      loop.enable()
      const started = performance.now()
      const backup = writeBackup(database, store, join(dir, `backup-${size.messages}.tar`))
      const during = await writer(database, roomId, senderId, backup)
      const summary = await backup
      clearInterval(sampler)
      loop.disable()
      results.push({
        engine,
        messages: size.messages,
        photos: size.photos,
        archiveMiB: mib(summary.bytes),
        backupMs: Math.round(performance.now() - started),
        writerIdleP99Ms: Number(quantile(idle, 0.99).toFixed(1)),
        writerDuringP99Ms: Number(quantile(during, 0.99).toFixed(1)),
        writerDuringMaxMs: Math.round(during.at(-1) ?? 0),
        appendsDuring: during.length,
        eventLoopDelayMaxMs: Math.round(loop.max / 1e6),
        rssBeforeMiB: mib(baseline),
        rssPeakAboveMiB: mib(peak - baseline)
      })
      console.log(results.at(-1))
    }
  } finally {
    await database.close()
    await drop()
    rmSync(dir, { recursive: true, force: true })
  }
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true })
  writeFileSync(join(PROJECT_ROOT, 'bench', 'results', `backup-${engine}.json`), JSON.stringify(results, null, 2) + '\n')
}

await main()
