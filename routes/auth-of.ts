import type { FastifyRequest } from 'fastify'
import type { Auth } from '../src/auth/session-service.js'
import { unauthorized } from '../src/errors.js'

/** The caller of a route in the protected context (its onRequest hook has authenticated). */
export function authOf (request: FastifyRequest): Auth {
  if (request.auth === null) throw unauthorized()
  return request.auth
}
