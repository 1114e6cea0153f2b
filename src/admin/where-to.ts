import type { Config } from '../config.js'

/**
 * Which database a command used, so an admin whose server runs with another DATA_DIR or
 * DATABASE_URL sees the mismatch at once. No credentials.
 */
export function whereTo (config: Config): string {
  if (config.databaseUrl === null) return `embedded database in ${config.dataDir}`
  const url = new URL(config.databaseUrl)
  return `PostgreSQL database ${url.pathname.slice(1) || '(default)'} on ${url.hostname || url.searchParams.get('host') || 'localhost'}${url.port === '' ? '' : `:${url.port}`}`
}
