import { setFlagsFromString } from 'node:v8'

/**
 * From V8 13.6 (Node 24) the optimizing compiler needs about 600 MB of memory, for a second or two,
 * to compile one 105 KB function of PGlite's WebAssembly, where V8 12.4 (Node 22) needs 25 MB:
 * it tiers that function up about a second after every open, which took a start's peak from
 * 350 MiB to 900 MiB and can get the server killed on a 1 GB box (README, "Embedded database").
 * No compiler flag avoids it, and `--liftoff-only` cannot be set once Node has started, so on
 * these versions PGlite's code stays in the baseline tier: its queries cost about 1.6 times the
 * CPU and saturation throughput falls by a quarter, for a peak that fits the box.
 */
const FIRST_AFFECTED_V8: readonly [number, number] = [13, 6]

export function wasmTierUpBlowsUp (v8Version: string = process.versions.v8): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number)
  return major > FIRST_AFFECTED_V8[0] || (major === FIRST_AFFECTED_V8[0] && minor >= FIRST_AFFECTED_V8[1])
}

/**
 * V8 reads its tier-up filter each time a function runs out of its tiering budget, so unlike
 * `--liftoff-only` it still takes effect at run time. The filter lets only the function with the
 * given index tier up, and function 0 of an Emscripten module such as PGlite's is its first import,
 * which V8 never compiles. The flag is the process's: the HEIC decoder's WebAssembly (a worker
 * thread) stays in the baseline tier too.
 */
export function keepWasmInBaselineTier (): void {
  if (wasmTierUpBlowsUp()) setFlagsFromString('--wasm-tier-up-filter=0')
}
