import { setFlagsFromString } from 'node:v8'

/**
 * From V8 13.6 (Node 24) to 14.1 (Node 25) the optimizing compiler needs about 600 MB of memory,
 * for a second or two, to compile one 105 KB function of PGlite's WebAssembly, where V8 12.4
 * (Node 22) and 14.6 (Node 26) need 25 MB. It tiers that function up about a second after every
 * open, which took a start's peak from 350 MiB to 900 MiB and can get the server killed on a 1 GB
 * box (README, "Embedded database or PostgreSQL").
 * No compiler flag avoids it, and `--liftoff-only` cannot be set once Node has started, so on
 * these versions PGlite's code stays in the baseline tier: its queries cost about 1.6 times the
 * CPU and saturation throughput falls by a quarter, for a peak that fits the box.
 */
const FIRST_AFFECTED_V8 = { major: 13, minor: 6 }
/** The first V8 seen without it; no Node release shipped 14.2 to 14.5. */
const FIRST_FIXED_V8 = { major: 14, minor: 6 }

export function wasmTierUpBlowsUp (v8Version: string = process.versions.v8): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number)
  const atLeast = (v: { major: number, minor: number }): boolean => major > v.major || (major === v.major && minor >= v.minor)
  return atLeast(FIRST_AFFECTED_V8) && !atLeast(FIRST_FIXED_V8)
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
