import { loadConfig } from '../src/config.js'
import { openDatabase } from '../db/client.js'

// `npm run db:migrate`: apply drizzle/ without starting the server (the server also does it at start-up).
const config = loadConfig()
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
try {
  await database.migrate()
  process.stdout.write('migrations applied\n')
} finally {
  await database.close()
}
