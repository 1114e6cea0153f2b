import type { FastifyInstance } from 'fastify'
import { count } from 'drizzle-orm'
import { pushSubscriptions } from '../../db/schema/index.js'
import type { AppOverrides } from '../../src/app.js'
import { bearer, userWithToken, type TestContext, type TestUser } from '../helper.js'
import { buildWithLog } from '../fixtures/logged-app.js'
import { startFakePushService, type FakeDevice, type FakePushService } from '../fixtures/fake-push-service.js'

export const PUSH_CONTACT = 'mailto:grandpa@family.example'

export const pushEnv = (fake: FakePushService): Record<string, string> => ({ PUSH_CONTACT, PUSH_ENDPOINT_HOSTS: fake.host })

export interface PushFamily {
  app: FastifyInstance
  fake: FakePushService
  users: Record<string, TestUser>
  familyRoomId: string
  /** What the server logged so far. */
  log (): string
}

/** An app with push on, pointed at a fake push service, and the named members logged in. */
export async function pushFamily (t: TestContext, names: string[], overrides: AppOverrides = {}): Promise<PushFamily> {
  const fake = await startFakePushService(t)
  const { app, log } = await buildWithLog(t, pushEnv(fake), overrides)
  const users: Record<string, TestUser> = {}
  for (const name of names) users[name] = await userWithToken(app, name)
  const rooms = (await app.inject({ url: '/api/rooms', headers: bearer(users[names[0]!]!.token) })).json().rooms as Array<{ id: string }>
  return { app, fake, users, familyRoomId: rooms[0]!.id, log }
}

export function subscribe (app: FastifyInstance, token: string, device: FakeDevice | { subscription: object }, preview?: string) {
  return app.inject({
    method: 'PUT',
    url: '/api/push/subscription',
    headers: bearer(token),
    payload: { ...device.subscription, ...(preview === undefined ? {} : { preview }) }
  })
}

/** A device for the user, registered; fails the test if the server refuses it. */
export async function subscribedDevice (family: PushFamily, user: string, preview?: string): Promise<FakeDevice> {
  const device = family.fake.device(user)
  const res = await subscribe(family.app, family.users[user]!.token, device, preview)
  if (res.statusCode !== 204) throw new Error(`subscribing ${user}: ${res.statusCode} ${res.body}`)
  return device
}

export async function subscriptionCount (app: FastifyInstance): Promise<number> {
  const [row] = await app.database.db.select({ n: count() }).from(pushSubscriptions)
  return row!.n
}

export async function sendMessage (app: FastifyInstance, token: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await app.inject({ method: 'POST', url: '/api/messages', headers: bearer(token), payload })
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`send: ${res.statusCode} ${res.body}`)
  return res.json().message
}
