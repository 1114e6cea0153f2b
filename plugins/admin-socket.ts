import fp from 'fastify-plugin'
import type { Server } from 'node:net'
import { adminSocketPath, listenAdminSocket } from '../src/admin/admin-socket.js'
import { backupWith } from '../src/backup/backup.js'
import { checkOptions, Type } from './options.js'

export interface AdminSocketOptions {
  dataDir: string
}

/** Lets bin/ commands reach this server (and its database lock) while it runs. */
export default fp<AdminSocketOptions>(async (app, opts) => {
  checkOptions('admin-socket', Type.Object({ dataDir: Type.String({ minLength: 1 }) }), opts)
  let server: Server | undefined
  app.addHook('onReady', async () => {
    const path = adminSocketPath(opts.dataDir)
    try {
      server = await listenAdminSocket(path, {
        db: app.database.db,
        onRevoked: (sessionIds, userId) => app.auth.sessions.forget(sessionIds, userId),
        onJoined: (roomId, userIds) => app.chat.joined(roomId, userIds),
        backup: backupWith(app.database, () => app.media.store)
      }, (err) => app.log.error({ err }, 'admin command failed'))
    } catch (err) {
      // Another instance sharing DATA_DIR (PostgreSQL mode) already serves it; commands go there.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
      app.log.warn({ path }, 'admin socket already served by another process')
    }
  })
  app.addHook('onClose', async () => {
    if (server === undefined) return
    await new Promise<void>((resolve) => server!.close(() => resolve()))
  })
}, { name: 'admin-socket', fastify: '5.x', dependencies: ['db', 'auth', 'chat', 'media'] })
