import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { responses } from '../../src/schemas/common.js'
import { SearchQuerySchema, SearchResultSchema } from '../../src/schemas/search.js'
import { authOf } from '../auth-of.js'

const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags: ['messages'],
      summary: 'Search my rooms (or one): every word, as a prefix, case- and accent-insensitive, newest first',
      querystring: SearchQuerySchema,
      response: responses({ 200: SearchResultSchema }, 400, 401, 404)
    }
  }, async (request) => await app.chat.search(authOf(request).userId, request.query))
}

export default searchRoutes
