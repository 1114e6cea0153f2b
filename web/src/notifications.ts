import type { Api } from './api.js'
import type { PushConfig } from '../../src/schemas/push.js'

export type Preview = 'full' | 'sender' | 'none'

/** Where this device stands: what the "Turn on notifications" control should offer. */
export type NotificationState =
  | 'unsupported' // no service worker or Push API here
  | 'ios-install' // iOS: only an app added to the Home Screen may ask
  | 'server-off' // the server does not send pushes (PUSH_CONTACT unset)
  | 'ask' // may ask, from a tap
  | 'denied' // the person said no (only the browser's settings can undo it)
  | 'on'

const PREVIEW_KEY = 'family-chat.push-preview'

const isIos = (): boolean => /iPad|iPhone|iPod/.test(navigator.userAgent) ||
  (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1)
const isInstalled = (): boolean => matchMedia('(display-mode: standalone)').matches ||
  (navigator as Navigator & { standalone?: boolean }).standalone === true

function sameKey (key: ArrayBuffer | null, base64url: string): boolean {
  if (key === null) return true
  const text = btoa(String.fromCharCode(...new Uint8Array(key))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
  return text === base64url.replace(/=+$/, '')
}

/**
 * The device's side of push notifications: the service worker (registered on every start, it also
 * keeps the offline shell), the permission (asked only from a tap), the subscription (sent again
 * at every start: browsers drop them silently) and this device's preview choice.
 */
export class Notifications {
  state: NotificationState = 'unsupported'
  private config: PushConfig | null = null
  private registration: ServiceWorkerRegistration | null = null
  private readonly listeners = new Set<() => void>()

  constructor (private readonly api: Api) {}

  get preview (): Preview {
    const saved = localStorage.getItem(PREVIEW_KEY)
    return saved === 'sender' || saved === 'none' ? saved : 'full'
  }

  subscribe (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Registers the service worker (it also keeps the offline shell), once per page. */
  async install (onOpenRoom: (roomId: string) => void): Promise<void> {
    if (!('serviceWorker' in navigator)) return
    navigator.serviceWorker.addEventListener('message', (event) => {
      const data = event.data as { type?: string, roomId?: string | null }
      if (data.type === 'open-room' && typeof data.roomId === 'string') onOpenRoom(data.roomId)
    })
    this.registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => null)
  }

  /** Signed in: what this device can do, and where permission was given before, the subscription renewed. */
  async refresh (): Promise<void> {
    if (this.registration === null) await navigator.serviceWorker?.ready.then((r) => { this.registration = r }, () => {})
    if (this.registration === null) return this.set('unsupported')
    if (!('PushManager' in window) || !('Notification' in window)) return this.set(isIos() && !isInstalled() ? 'ios-install' : 'unsupported')
    try {
      this.config = await this.api.request<PushConfig>('GET', '/api/push/config')
    } catch {
      // Offline: the subscription is renewed at the next start.
      return this.set(Notification.permission === 'granted' ? 'on' : 'ask')
    }
    if (!this.config.enabled) return this.set('server-off')
    if (Notification.permission === 'denied') return this.set('denied')
    if (Notification.permission === 'granted') {
      await this.register().catch(() => {})
      return this.set('on')
    }
    this.set('ask')
  }

  /** From a tap: asks the browser, subscribes and tells the server. Throws with a sentence to show. */
  async enable (): Promise<void> {
    const permission = await Notification.requestPermission()
    if (permission !== 'granted') {
      this.set(permission === 'denied' ? 'denied' : 'ask')
      throw new Error(permission === 'denied' ? 'Notifications are blocked for this site in the browser\'s settings' : 'Notifications were not turned on')
    }
    await this.register()
    this.set('on')
  }

  async setPreview (preview: Preview): Promise<void> {
    localStorage.setItem(PREVIEW_KEY, preview)
    if (this.state === 'on') await this.register()
    this.emit()
  }

  async disable (): Promise<void> {
    const subscription = await this.registration?.pushManager.getSubscription()
    await subscription?.unsubscribe()
    await this.api.request('DELETE', '/api/push/subscription')
    this.set('ask')
  }

  /** A room was read here: its notifications on this device go. */
  roomRead (roomId: string): void {
    this.registration?.active?.postMessage({ type: 'room-read', roomId })
  }

  /** The app badge follows the unread count while the app is open, as pushes set it while closed. */
  badge (unread: number): void {
    const nav = navigator as Navigator & { setAppBadge?: (n: number) => Promise<void>, clearAppBadge?: () => Promise<void> }
    const done = unread > 0 ? nav.setAppBadge?.(unread) : nav.clearAppBadge?.()
    done?.catch(() => {})
  }

  private async register (): Promise<void> {
    if (this.registration === null || this.config?.publicKey == null) throw new Error('Notifications are not available here')
    const { pushManager } = await navigator.serviceWorker.ready
    let subscription = await pushManager.getSubscription()
    // Made for another key (the server was reinstalled): its pushes would be refused.
    if (subscription !== null && !sameKey(subscription.options.applicationServerKey, this.config.publicKey)) {
      await subscription.unsubscribe()
      subscription = null
    }
    subscription ??= await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: this.config.publicKey })
    await this.api.request('PUT', '/api/push/subscription', { ...subscription.toJSON(), preview: this.preview })
  }

  private set (state: NotificationState): void {
    this.state = state
    this.emit()
  }

  private emit (): void {
    for (const listener of this.listeners) listener()
  }
}
