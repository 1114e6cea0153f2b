import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { forbidden, notFound } from '../../src/errors.js'
import { responses } from '../../src/schemas/common.js'

const CONTENT_TYPES: Record<string, string> = { jpg: 'image/jpeg', webp: 'image/webp', png: 'image/png' }

const mediaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:key', {
    schema: {
      tags: ['media'],
      summary: 'A photo, with a signed and expiring URL (local storage only)',
      security: [],
      params: Type.Object({ key: Type.String({ maxLength: 128 }) }),
      querystring: Type.Object({ exp: Type.Optional(Type.String({ maxLength: 16 })), sig: Type.Optional(Type.String({ maxLength: 128 })) }),
      response: responses({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }, 403, 404)
    }
  }, async (request, reply) => {
    const { key } = request.params
    if (!app.media.signer.verify(key, request.query.exp, request.query.sig)) throw forbidden('Missing, altered or expired media signature')
    const path = app.media.localPath(key)
    if (path === null) throw notFound('No such media')
    const info = await stat(path).catch(() => null)
    if (info === null) throw notFound('No such media')
    // A key names one immutable file; the signed URL changes hourly, so a private, long cache is safe.
    return reply
      .header('content-type', CONTENT_TYPES[key.split('.').pop() ?? ''] ?? 'application/octet-stream')
      .header('content-length', info.size)
      .header('cache-control', 'private, max-age=7200, immutable')
      .header('cross-origin-resource-policy', 'same-site')
      .send(createReadStream(path))
  })
}

export default mediaRoutes
