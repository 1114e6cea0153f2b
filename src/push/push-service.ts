import webPush from 'web-push'
import {
  deleteSubscription, deleteSubscriptionOfSession, findSubscriptionOfSession, readOrCreatePushKeys, totalUnread, upsertSubscription
} from '../../db/queries/push.js'
import type { PushSubscriptionRow } from '../../db/schema/index.js'
import type { Db } from '../../db/types.js'
import type { ChatService } from '../chat/chat-service.js'
import type { PushSettings } from '../config.js'
import { conflict, notFound, validation } from '../errors.js'
import type { PushSubscriptionBody } from '../schemas/push.js'
import { isAllowedEndpoint } from './endpoint-policy.js'
import { createNotifier } from './notifier.js'
import { testPayload, type PushPayload } from './payload.js'
import { createPushSender, type PushSenderLog, type PushSenderOptions } from './push-sender.js'

export interface PushServiceOptions {
  db: Db
  chat: Pick<ChatService, 'onEvent'>
  /** Which of the sessions have a socket in the foreground on any instance. */
  inForeground: (sessionIds: readonly string[]) => Promise<Set<string>>
  /** Sessions ended through this instance (their devices must not be pushed from a cached list). */
  onRevoked: (listener: () => void) => () => void
  log: PushSenderLog
  sender?: Pick<PushSenderOptions, 'concurrency' | 'queueLimit' | 'timeoutMs' | 'retryDelayMs'>
}

const decodedLength = (base64url: string): number => Buffer.from(base64url, 'base64url').length

/** A topic is at most 32 URL-safe characters: the room's id without its dashes. */
const topicOf = (roomId: string): string => roomId.replaceAll('-', '')

/**
 * Web Push: devices register here, and every new message committed on this instance is pushed to
 * the devices of the members who should hear of it (the contract's "Who is notified"). Only the
 * committing instance sees a message's event, so each device gets one push however many run.
 * Nothing here is awaited by the room log: lookups and requests go through bounded queues.
 */
export async function createPushService (settings: PushSettings, options: PushServiceOptions) {
  const { db, log } = options
  const keys = await readOrCreatePushKeys(db, () => webPush.generateVAPIDKeys())
  const sender = createPushSender({
    ...options.sender,
    vapid: { subject: settings.contact, publicKey: keys.publicKey, privateKey: keys.privateKey },
    log,
    onGone: async (job) => {
      await deleteSubscription(db, job.sessionId, job.endpoint)
      notifier.forget()
    }
  })

  const push = (subscription: PushSubscriptionRow, payload: PushPayload, urgency: 'high' | 'normal'): boolean => sender.send({
    sessionId: subscription.sessionId,
    endpoint: subscription.endpoint,
    keys: { p256dh: subscription.p256dh, auth: subscription.auth },
    payload: JSON.stringify(payload),
    topic: payload.roomId === null ? 'test' : topicOf(payload.roomId),
    urgency
  })

  const notifier = createNotifier({ db, inForeground: options.inForeground, push, log })
  const unsubscribe = options.chat.onEvent((event) => {
    if (event.type === 'message.new') notifier.add(event.message)
    else if (event.type === 'settings' || event.type === 'room.joined') notifier.forget(event.roomId)
  })
  const stopHearingRevocations = options.onRevoked(() => notifier.forget())

  return {
    publicKey: keys.publicKey,

    /** Registers the session's device (the same endpoint registered again moves to this session). */
    async subscribe (auth: { userId: string, sessionId: string }, body: PushSubscriptionBody): Promise<void> {
      if (!isAllowedEndpoint(body.endpoint, settings.endpointHosts)) {
        throw validation('endpoint must be an https: URL of a push service this server allows (PUSH_ENDPOINT_HOSTS)')
      }
      if (decodedLength(body.keys.p256dh) !== 65) throw validation('keys.p256dh must be a 65-byte P-256 public key (base64url)')
      if (decodedLength(body.keys.auth) !== 16) throw validation('keys.auth must be a 16-byte secret (base64url)')
      await upsertSubscription(db, {
        sessionId: auth.sessionId,
        userId: auth.userId,
        endpoint: body.endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
        preview: body.preview ?? 'full'
      })
      notifier.forget()
    },

    async unsubscribe (sessionId: string): Promise<void> {
      await deleteSubscriptionOfSession(db, sessionId)
      notifier.forget()
    },

    /** A test notification to the session's own device. */
    async test (auth: { userId: string, sessionId: string }): Promise<void> {
      const subscription = await findSubscriptionOfSession(db, auth.sessionId)
      if (subscription === undefined) throw notFound('This session has no push subscription')
      const unread = (await totalUnread(db, [auth.userId])).get(auth.userId) ?? 0
      push(subscription, testPayload(unread), 'normal')
    },

    /** Resolves once every push of the messages so far has been sent (or given up on). */
    async idle (): Promise<void> {
      await notifier.idle()
      await sender.idle()
    },

    async close (): Promise<void> {
      unsubscribe()
      stopHearingRevocations()
      await notifier.close()
      await sender.close()
    }
  }
}

export type PushService = Awaited<ReturnType<typeof createPushService>>

/** What the routes see when PUSH_CONTACT is unset: everything but the config answers 409. */
export const pushDisabled = () => conflict('Push notifications are not enabled on this server (PUSH_CONTACT)')
