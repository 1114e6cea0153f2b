// The reference for the embedded database's share: bare PGlite opening (or, in an empty directory,
// initdb-ing) a data directory, then idle until SIGTERM. Prints READY once it answers a query.
import { PGlite } from '@electric-sql/pglite'

const pglite = await PGlite.create({ dataDir: process.argv[2]! })
await pglite.query('select 1')
process.stdout.write('READY\n')
// Idle like a server: PGlite itself holds nothing open that would keep the process alive.
const idle = setInterval(() => {}, 60_000)
process.once('SIGTERM', () => { clearInterval(idle); pglite.close().finally(() => process.exit(0)) })
