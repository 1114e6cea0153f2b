import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS with a default export; under NodeNext the callable is `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

// Fastify's baseline Ajv options (@fastify/ajv-compiler), kept as they are.
const BASELINE: Options = { coerceTypes: 'array', useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false }

function ajv (options: Options): Ajv {
  const instance = new Ajv({ ...BASELINE, ...options })
  addFormats(instance)
  return instance
}

// Query strings, params and headers are text, so they are coerced (`limit=5` → 5). A JSON body
// already has types: `{"username": 42}` is a client bug to report, not a string to invent.
const coercing = ajv({})
const strict = ajv({ coerceTypes: false })

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema)
