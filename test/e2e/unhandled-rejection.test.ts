import t from 'tap'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../../db/paths.js'
import { freshPostgresDatabase, tempDir, TEST_SECRET } from '../helper.js'
import { startServer } from '../fixtures/processes.js'

t.test('an unhandled rejection is logged and the server keeps serving', async (t) => {
  const server = await startServer(t, {
    DATA_DIR: tempDir(t),
    JWT_SECRET: TEST_SECRET,
    ...(process.env.DATABASE_URL === undefined ? {} : { DATABASE_URL: await freshPostgresDatabase(t, process.env.DATABASE_URL) }),
    NODE_OPTIONS: `--import=${join(PROJECT_ROOT, 'test/fixtures/reject-on-signal.mjs')}`
  })
  const logged = server.waitForLog(/unhandled promise rejection/)
  process.kill(server.pid, 'SIGWINCH')
  t.match(await logged, /a rejection nobody handles/, 'logged with its error')
  t.equal((await fetch(`${server.url}/health`)).status, 200, 'still serving')
  t.equal(await server.stop(), 0, 'and still stops cleanly')
})
