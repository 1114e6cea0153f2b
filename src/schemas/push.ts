import { Type, type Static } from 'typebox'

export const PushConfigSchema = Type.Object({
  enabled: Type.Boolean(),
  /** The VAPID application-server key (base64url), for PushManager.subscribe. */
  publicKey: Type.Union([Type.String(), Type.Null()])
})
export type PushConfig = Static<typeof PushConfigSchema>

// db/schema/push.ts's PUSH_PREVIEWS.
export const PushPreviewSchema = Type.Union([Type.Literal('full'), Type.Literal('sender'), Type.Literal('none')])

const Base64Url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$' })

/** A browser's PushSubscription as JSON (what `subscription.toJSON()` gives), plus the preview chosen on the device. */
export const PushSubscriptionBodySchema = Type.Object({
  // What a browser sends is a serialized URL, which is always printable ASCII (non-ASCII is
  // percent-encoded, hosts punycoded): anything else did not come from a PushSubscription.
  endpoint: Type.String({ minLength: 1, maxLength: 2048, pattern: '^[!-~]+$' }),
  keys: Type.Object({ p256dh: Base64Url(128), auth: Base64Url(64) }),
  preview: Type.Optional(PushPreviewSchema)
})
export type PushSubscriptionBody = Static<typeof PushSubscriptionBodySchema>

/** The plaintext of a push (the contract's "Notifications (Web Push)"), before encryption; what the service worker reads. */
export interface PushPayload {
  v: 1
  roomId: string | null
  messageId: string | null
  seq: number
  title: string
  body: string
  unread: number
}
