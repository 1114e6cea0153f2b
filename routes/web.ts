import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { notFound } from '../src/errors.js'
import { webAssets, type WebAsset } from '../src/web/web-assets.js'

const AssetParamsSchema = Type.Object({ name: Type.String({ maxLength: 64 }) }, { additionalProperties: false })

/** The family's chat page at `/`, its service worker at `/sw.js`, its script, styles, manifest and icons under `/app/`. */
const webRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const assets = await webAssets()

  // Names are not content-hashed, so browsers revalidate every time; the ETag makes that a 304.
  const serve = (request: FastifyRequest, reply: FastifyReply, file: WebAsset) => {
    reply.header('cache-control', 'no-cache').header('etag', file.etag)
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.type(file.contentType).send(file.body)
  }

  app.get('/', { schema: { hide: true } }, (request, reply) => serve(request, reply, assets.get('index.html')!))

  // At the root, so its scope can be the whole app.
  app.get('/sw.js', { schema: { hide: true } }, (request, reply) => serve(request, reply, assets.get('sw.js')!))

  app.get('/app/:name', { schema: { hide: true, params: AssetParamsSchema } }, (request, reply) => {
    const file = request.params.name === 'index.html' || request.params.name === 'sw.js' ? undefined : assets.get(request.params.name)
    if (file === undefined) throw notFound('No such file')
    return serve(request, reply, file)
  })
}

export default webRoutes
