// `npm start` runs the server from one bundle (scripts/build.mjs makes it beside the tsc output):
// resolving, reading and linking some 1,500 module files was a third of a restart — typebox alone
// is 700 files, 260 ms. bin/ commands, the benchmarks and the HEIC worker stay on dist/'s files.
import { build } from 'esbuild'
import { join } from 'node:path'

// Left to Node as packages: native code or WebAssembly and files read beside their own modules
// (PGlite, sharp, argon2, the docs UI's assets, pino's worker transports), and the large ones
// loaded only when configured or first used (Cloudinary, Redis, PostgreSQL, OpenAPI, Web Push).
const EXTERNAL = [
  '@electric-sql/pglite', 'sharp', 'argon2', 'heic-decode', 'pino', 'thread-stream', '@fastify/swagger-ui',
  'cloudinary', 'ioredis', 'postgres', '@fastify/swagger', 'web-push'
]

export async function bundleServer (distDir) {
  await build({
    entryPoints: [join(distDir, 'src', 'server.js')],
    outdir: join(distDir, 'bundle'),
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    // What the server imports on first use (a database driver, the Cloudinary store) stays a chunk
    // of its own, loaded then.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL.flatMap((name) => [name, `${name}/*`]),
    // The CommonJS packages inside call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning'
  })
}
