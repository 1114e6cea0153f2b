import { Type, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

export { Type }

/**
 * Fails a plugin's registration with a message naming the plugin and what is wrong with its
 * options, as the official plugins do, rather than letting a bad option surface as a later crash.
 */
export function checkOptions (plugin: string, schema: TSchema, options: unknown): void {
  const check = Compile(schema)
  if (check.Check(options)) return
  const problems = [...check.Errors(options)].map((e) => `${e.instancePath === '' ? 'options' : e.instancePath.slice(1)} ${e.message}`)
  throw new Error(`${plugin}: invalid options: ${problems.join('; ')}`)
}
