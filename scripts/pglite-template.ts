import { createHash } from 'node:crypto'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { createPglite, usePglite } from '../db/embedded.js'
import { installedPgliteVersion, migrationsHash, TEMPLATE_DIR, templatePaths, type TemplateManifest } from '../db/pglite-template.js'

// `npm run db:template`: rebuilds db/pglite-template/ from drizzle/ after a migration is added or
// PGlite is upgraded (test/db/pglite-template.test.ts fails until it is). Runs initdb once, here.
const client = await createPglite()
await usePglite(client).migrate({ seed: false })
const data = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer())
await client.close()

const manifest: TemplateManifest = {
  migrationsHash: migrationsHash(),
  pgliteVersion: installedPgliteVersion(),
  dataSha256: createHash('sha256').update(data).digest('hex')
}
mkdirSync(TEMPLATE_DIR, { recursive: true })
for (const [file, bytes] of [[templatePaths.data, data], [templatePaths.manifest, `${JSON.stringify(manifest, null, 2)}\n`]] as const) {
  writeFileSync(`${file}.tmp`, bytes)
  renameSync(`${file}.tmp`, file)
}
process.stdout.write(`db/pglite-template: ${data.length} bytes, migrations ${manifest.migrationsHash.slice(0, 12)}, PGlite ${manifest.pgliteVersion}\n`)
