import fp from 'fastify-plugin'
import { backupWith } from '../src/backup/backup.js'
import { scheduleBackups, type BackupHealth, type BackupScheduler } from '../src/backup/schedule.js'
import type { BackupSchedule } from '../src/config.js'
import { checkOptions, Type } from './options.js'

export interface BackupsPluginOptions {
  /** null: no scheduled backups (BACKUP_DIR unset). */
  schedule: BackupSchedule | null
}

export interface BackupsNamespace {
  /** How the scheduled backups are going; undefined when there are none. */
  health (): BackupHealth | undefined
}

const OptionsSchema = Type.Object({
  schedule: Type.Union([
    Type.Object({ dir: Type.String({ minLength: 1 }), everyMs: Type.Integer({ minimum: 1000 }), keep: Type.Integer({ minimum: 1 }) }),
    Type.Null()
  ])
})

/** Scheduled backups into BACKUP_DIR (src/backup/schedule.ts). */
export default fp<BackupsPluginOptions>(async (app, opts) => {
  checkOptions('backups', OptionsSchema, opts)
  let scheduler: BackupScheduler | undefined
  const schedule = opts.schedule
  if (schedule !== null) {
    app.addHook('onReady', async () => {
      scheduler = scheduleBackups({
        schedule,
        backup: backupWith(app.database, () => app.media.store),
        exclusive: (name, job) => app.database.exclusive(name, job),
        log: app.log
      })
    })
    app.addHook('onClose', async () => { await scheduler?.stop() })
  }
  app.decorate('backups', { health: () => scheduler?.health() } satisfies BackupsNamespace)
}, { name: 'backups', fastify: '5.x', dependencies: ['db', 'media'] })

declare module 'fastify' {
  interface FastifyInstance {
    backups: BackupsNamespace
  }
}
