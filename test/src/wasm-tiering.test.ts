import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { PROJECT_ROOT } from '../../db/paths.js'
import { wasmTierUpBlowsUp } from '../../db/wasm-tiering.js'

t.test('the V8 versions whose optimizing compiler blows up on PGlite', async (t) => {
  t.notOk(wasmTierUpBlowsUp('11.3.244.8-node.33'), 'Node 20')
  t.notOk(wasmTierUpBlowsUp('12.4.254.21-node.57'), 'Node 22')
  t.notOk(wasmTierUpBlowsUp('13.5.212.10'), 'V8 13.5')
  t.ok(wasmTierUpBlowsUp('13.6.233.17-node.63'), 'Node 24')
  t.ok(wasmTierUpBlowsUp('14.1.146.11-node.25'), 'Node 25')
  t.notOk(wasmTierUpBlowsUp('14.6.202.34-node.40'), 'Node 26')
  t.notOk(wasmTierUpBlowsUp('15.0.1'), 'a later major')
})

/** How many functions V8 compiled with its optimizing tier while the workload ran. */
async function optimizedCompiles (how: 'project' | 'bare'): Promise<number> {
  // Synchronous tier-up: every function that ran out of its tiering budget is compiled before the
  // workload goes on, so the count is complete when the process exits.
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--wasm-sync-tier-up', '--trace-wasm-compilation-times',
    join(PROJECT_ROOT, 'test', 'fixtures', 'pglite-workload.mjs'), how
  ], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 })
  return stdout.split('\n').filter((line) => line.includes('using TurboFan')).length
}

t.test('where it does, the project\'s PGlite stays in the baseline tier', {
  skip: wasmTierUpBlowsUp() ? false : `V8 ${process.versions.v8} tiers PGlite up within its memory`
}, async (t) => {
  t.ok(await optimizedCompiles('bare') > 0, 'the same work tiers a bare PGlite up')
  t.equal(await optimizedCompiles('project'), 0, 'the project\'s compiles nothing with the optimizing tier')
})
