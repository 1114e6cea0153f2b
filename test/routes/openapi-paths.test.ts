import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PROJECT_ROOT } from '../../db/paths.js'
import { build } from '../helper.js'

/** The endpoints of docs/protocol.md's HTTP table, as `METHOD /path` with `:param` written `{param}`. */
function documentedEndpoints (): string[] {
  const doc = readFileSync(join(PROJECT_ROOT, 'docs/protocol.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## HTTP API'), doc.indexOf('### Input rules'))
  return [...section.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)` \|/gm)]
    .map(([, method, path]) => `${method!} ${path!.replace(/:(\w+)/g, '{$1}')}`)
    .sort()
}

t.test('the OpenAPI document names exactly the documented endpoints, at their canonical paths', async (t) => {
  const app = await build(t)
  const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
  const served = Object.entries(spec.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort()
  const documented = documentedEndpoints()
  t.ok(documented.length >= 15, `the table was read (${documented.length} endpoints)`)
  t.same(served, documented)
  t.notOk(served.some((endpoint) => endpoint.endsWith('/')), 'no trailing slashes')
})
