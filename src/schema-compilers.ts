import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler'

// Compiling every route's schemas took a third of a second of each start (ajv for the requests,
// fast-json-stringify for the responses), most of them for routes a start never sees. Each is
// compiled the first time its route needs it: a request pays a few milliseconds once, a start
// nothing. Every route is exercised by the tests, so a schema that does not compile still fails them.

// ajv-formats is CommonJS with a default export; under NodeNext the callable is `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

// Fastify's baseline Ajv options (@fastify/ajv-compiler), kept as they are.
const BASELINE: Options = { coerceTypes: 'array', useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false }

function once<T> (make: () => T): () => T {
  let made: { value: T } | undefined
  return () => (made ??= { value: make() }).value
}

function ajv (options: Options): () => Ajv {
  return once(() => {
    const instance = new Ajv({ ...BASELINE, ...options })
    addFormats(instance)
    return instance
  })
}

// Query strings, params and headers are text, so they are coerced (`limit=5` → 5). A JSON body
// already has types: `{"username": 42}` is a client bug to report, not a string to invent.
const coercing = ajv({})
const strict = ajv({ coerceTypes: false })

type Validate = ReturnType<FastifySchemaCompiler<object>>

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const compiled = once(() => (httpPart === 'body' ? strict : coercing)().compile(schema))
  // Fastify reads the errors of a failed validation from the function it was given.
  const validate: Validate = (data) => {
    const check = compiled()
    const valid = check(data)
    validate.errors = check.errors ?? null
    return valid
  }
  return validate
}

const buildSerializer = SerializerSelector()

/** Fastify's own response serializers (fast-json-stringify), each built on its first response. */
export const lazySerializerFactory: SerializerFactory = (externalSchemas, options) => {
  const compile = buildSerializer(externalSchemas, options)
  return (route) => {
    const serializer = once(() => compile(route))
    return (data) => serializer()(data)
  }
}
