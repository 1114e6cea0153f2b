import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { DataDirLockedError } from '../db/data-dir-lock.js'

async function main (): Promise<void> {
  const config = loadConfig()
  const app = await buildApp(config)

  // A rejection nobody handled (a library's own promise, say) is a bug to log, not a reason to take
  // the family's chat down; an uncaught exception still shuts down gracefully, its state unknown.
  process.on('unhandledRejection', (reason) => {
    app.log.error({ err: reason }, 'unhandled promise rejection (the server keeps running)')
  })
  closeWithGrace({ delay: 10_000, skip: ['unhandledRejection'] }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })

  await app.listen({ port: config.port, host: config.host })
}

main().catch((err: unknown) => {
  // Configuration the server cannot serve: one clear message, no stack trace.
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(`family-chat: ${err.message}`)
  } else if (err instanceof Error && /cannot reach the database|EADDRINUSE|EACCES/.test(err.message + String((err as NodeJS.ErrnoException).code))) {
    console.error(`family-chat: cannot start: ${err.message}`)
  } else {
    console.error('family-chat: failed to start:', err)
  }
  process.exit(1)
})
