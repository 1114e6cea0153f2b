import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { SwaggerOptions } from '@fastify/swagger'
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui'

const SPEC: SwaggerOptions = {
  openapi: {
    info: { title: 'Family Chat', version: '1', description: 'The HTTP API of Family Chat. The whole client protocol, WebSocket included, is docs/protocol.md in the repository.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }]
  },
  refResolver: { buildLocalReference: (json, _base, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
}

const UI: FastifySwaggerUiOptions = {
  routePrefix: '/docs',
  staticCSP: true,
  // The README runs the server over plain HTTP on the home network (http://familychat.lan:3000):
  // upgrade-insecure-requests would send the UI's own assets to an https: that is not there.
  // Behind HTTPS nothing changes: the assets are same-origin already.
  transformStaticCSP: (header: string) => header.replace(/\s*upgrade-insecure-requests;?/g, '')
}

// What the docs' own server answers that this one sets itself.
const HOP_HEADERS = new Set(['content-length', 'connection', 'keep-alive', 'date', 'transfer-encoding'])

/**
 * A server of its own that knows the API's routes (their schemas, no handlers) and serves
 * nothing but the docs, built by @fastify/swagger and @fastify/swagger-ui exactly as they would
 * be here.
 */
async function buildDocsServer (routes: readonly RouteOptions[], schemas: readonly unknown[]): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'), import('@fastify/swagger'), import('@fastify/swagger-ui')
  ])
  const docs = Fastify()
  // Nothing is validated or serialised by these routes' schemas here: they are only described.
  docs.setValidatorCompiler(() => () => true)
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data))
  for (const schema of schemas) docs.addSchema(schema)
  await docs.register(swagger, SPEC)
  await docs.register(swaggerUi, UI)
  await docs.register(async (described) => {
    for (const { method, url, schema } of routes) described.route({ method, url, ...(schema === undefined ? {} : { schema }), handler: async () => null })
  })
  await docs.ready()
  return docs
}

/**
 * GET /docs (the OpenAPI UI) and /docs/json (the document, from the route schemas). A start does
 * not load @fastify/swagger, its UI and their dependencies (a sixth of the server's start-up):
 * the routes are noted as they are added, and the docs are built on the first visit.
 */
export default fp(async (app) => {
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    // HEAD routes are Fastify's own copies of the GETs, and @fastify/swagger leaves them out.
    if (route.url.startsWith('/docs') || methods.every((m) => m === 'HEAD')) return
    routes.push(route)
  })
  let docs: Promise<FastifyInstance> | undefined
  const docsServer = (): Promise<FastifyInstance> => {
    docs ??= buildDocsServer(routes, Object.values(app.getSchemas())).catch((err: unknown) => {
      docs = undefined
      throw err
    })
    return docs
  }

  async function serveDocs (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const res = await (await docsServer()).inject({ method: 'GET', url: request.url, headers: { host: request.headers.host ?? 'localhost' } })
    for (const [name, value] of Object.entries(res.headers)) if (!HOP_HEADERS.has(name) && value !== undefined) reply.header(name, value)
    return reply.code(res.statusCode).send(res.rawPayload)
  }
  app.get('/docs', { schema: { hide: true } }, serveDocs)
  app.get('/docs/*', { schema: { hide: true } }, serveDocs)
  app.addHook('onClose', async () => { await (await docs?.catch(() => undefined))?.close() })
}, { name: 'docs', fastify: '5.x', dependencies: ['security'] })
