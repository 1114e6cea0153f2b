/// <reference lib="webworker" />
// The page's service worker (served at /sw.js, scope /): shows pushes as notifications, opens the
// right room when one is tapped, and keeps the app's shell so the installed app opens offline.
// What the page had (rooms, recent messages, queued sends) it keeps itself, in IndexedDB.

import type { PushPayload } from '../../src/schemas/push.js'

declare const self: ServiceWorkerGlobalScope

const SHELL_CACHE = 'family-chat-shell-v1'
const SHELL = ['/', '/app/app.js', '/app/app.css', '/app/icon.svg', '/app/icon-192.png', '/app/manifest.webmanifest']

/** What the page tells the worker. */
type PageMessage = { type: 'room-read', roomId: string } | { type: 'badge', unread: number }

// A synthetic event (DevTools, a test) cannot extend its lifetime; the work still runs.
function keepAlive (event: ExtendableEvent, work: Promise<unknown>): void {
  try {
    event.waitUntil(work)
  } catch {}
}

async function setBadge (unread: number): Promise<void> {
  const nav = self.navigator as WorkerNavigator & { setAppBadge?: (n: number) => Promise<void>, clearAppBadge?: () => Promise<void> }
  try {
    if (unread > 0) await nav.setAppBadge?.(unread)
    else await nav.clearAppBadge?.()
  } catch {}
}

self.addEventListener('install', (event) => {
  keepAlive(event, caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  keepAlive(event, self.clients.claim())
})

const isShell = (url: URL): boolean => url.origin === self.location.origin && (url.pathname === '/' || SHELL.includes(url.pathname))

/** A network that answers nothing (a train's wifi) counts as none after this long. */
const NETWORK_PATIENCE_MS = 6000

// The network first, so an update shows at once; the cached copy when there is no network.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || !isShell(url)) return
  event.respondWith((async () => {
    const cache = await caches.open(SHELL_CACHE)
    try {
      const response = await fetch(event.request, { signal: AbortSignal.timeout(NETWORK_PATIENCE_MS) })
      if (response.ok) await cache.put(url.pathname, response.clone())
      return response
    } catch (err) {
      const cached = await cache.match(url.pathname)
      if (cached !== undefined) return cached
      throw err
    }
  })())
})

function parsePush (event: PushEvent): PushPayload | null {
  try {
    const payload = event.data?.json() as PushPayload | undefined
    return payload?.v === 1 && typeof payload.title === 'string' ? payload : null
  } catch {
    return null
  }
}

// One notification per room (its tag), replaced by the newest.
self.addEventListener('push', (event) => {
  const payload = parsePush(event)
  if (payload === null) return
  keepAlive(event, Promise.all([
    self.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.roomId ?? 'family-chat',
      icon: '/app/icon-192.png',
      badge: '/app/icon-192.png',
      data: { roomId: payload.roomId, seq: payload.seq }
    }),
    setBadge(payload.unread)
  ]))
})

async function openRoom (roomId: string | null): Promise<void> {
  const hash = roomId === null ? '' : `#/room/${encodeURIComponent(roomId)}`
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const open = windows[0]
  if (open !== undefined) {
    open.postMessage({ type: 'open-room', roomId })
    await open.focus().catch(() => {})
    return
  }
  await self.clients.openWindow(`/${hash}`)
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const roomId = (event.notification.data as { roomId?: string | null } | null)?.roomId ?? null
  keepAlive(event, openRoom(roomId))
})

self.addEventListener('message', (event) => {
  const message = event.data as PageMessage
  if (message.type === 'room-read') {
    keepAlive(event, self.registration.getNotifications({ tag: message.roomId }).then((shown) => { for (const n of shown) n.close() }))
  } else if (message.type === 'badge') {
    keepAlive(event, setBadge(message.unread))
  }
})
