import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Family Chat', version: '1', description: 'The HTTP API of Family Chat. The whole client protocol, WebSocket included, is docs/protocol.md in the repository.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }]
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // The README runs the server over plain HTTP on the home network (http://familychat.lan:3000):
    // upgrade-insecure-requests would send the UI's own assets to an https: that is not there.
    // Behind HTTPS nothing changes: the assets are same-origin already.
    transformStaticCSP: (header: string) => header.replace(/\s*upgrade-insecure-requests;?/g, '')
  })
}, { name: 'swagger', fastify: '5.x', dependencies: ['security'] })
