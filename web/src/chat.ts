import { ApiError, type Api } from './api.js'
import { Connection, type ConnectionStatus } from './connection.js'
import { Outbox } from './outbox.js'
import type { Envelope, FamilyMember, Message, MessagePage, ReadyData, Room, User } from './types.js'
import { newRoomState, RoomSync, type RoomState } from './room-sync.js'
import { Uploads } from './uploads.js'

export type { PendingUpload } from './uploads.js'
export type { RoomState } from './room-sync.js'

const TYPING_SHOWN_MS = 4000
const TYPING_SENT_EVERY_MS = 2000
const PAGE = 50
const READ_DELAY_MS = 250

export type Change =
  | { kind: 'rooms' }
  | { kind: 'users' }
  | { kind: 'status' }
  | { kind: 'room', roomId: string }

/**
 * The client's model of the family's conversations: rooms, messages, who is online, and what is
 * still on its way. Views read it and subscribe to its changes; it never touches the DOM.
 */
export class Chat {
  me: User
  readonly rooms = new Map<string, RoomState>()
  readonly users = new Map<string, FamilyMember>()
  readonly outbox: Outbox
  readonly uploads: Uploads
  private readonly sync: RoomSync
  openRoomId: string | null = null
  readonly connection: Connection
  private readonly api: Api
  private readonly listeners = new Set<(change: Change) => void>()
  private readonly sending = new Set<string>()
  private readonly typingSentAt = new Map<string, number>()
  private readonly readPending = new Set<string>()
  private readTimer: ReturnType<typeof setTimeout> | undefined
  /** A room was read on this device (its notifications can go). */
  readHere: (roomId: string) => void = () => {}

  constructor (api: Api, me: User, onSignedOut: () => void) {
    this.api = api
    this.me = me
    this.outbox = new Outbox(me.id)
    this.sync = new RoomSync(me.id, {
      latestPage: (roomId) => this.api.request<MessagePage>('GET', `/api/messages?roomId=${encodeURIComponent(roomId)}&limit=${PAGE}`),
      eventsSince: async (roomId, since) => (await this.connection.request('sync', { roomId, since, limit: 100 })).data as unknown as MessagePage,
      ownStored: (clientId) => this.settlePending(clientId),
      changed: (roomId) => this.emit({ kind: 'room', roomId }),
      caughtUp: () => this.markOpenRoomRead()
    })
    this.uploads = new Uploads(api, {
      changed: (roomId) => this.emit({ kind: 'room', roomId }),
      stored: (message) => this.receiveOwn({ type: 'ack', data: { message } })
    })
    this.connection = new Connection(() => this.socketUrl(), {
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.onStatus(status),
      onUnauthorized: onSignedOut,
      // A refused upgrade says nothing about why; /me answers 401 if the session is over.
      onRefused: () => { this.api.request('GET', '/api/auth/me').catch(() => {}) }
    })
    document.addEventListener('visibilitychange', () => {
      this.tellVisibility()
      this.markOpenRoomRead()
    })
  }

  /** Unread messages over every room (the title and the app badge). */
  totalUnread (): number {
    let total = 0
    for (const { room } of this.rooms.values()) total += room.unread
    return total
  }

  /** What to keep for opening offline: the rooms, the family, each room's newest messages. */
  snapshot (perRoom: number): { rooms: Room[], users: FamilyMember[], messages: Message[] } {
    return {
      rooms: [...this.rooms.values()].map((s) => s.room),
      users: [...this.users.values()],
      messages: [...this.rooms.keys()].flatMap((roomId) => this.messagesOf(roomId).slice(-perRoom))
    }
  }

  /** What this device had, shown before (or without) a connection; live state replaces it. */
  restore (snapshot: { rooms: Room[], users: FamilyMember[], messages: Message[] }): void {
    for (const room of snapshot.rooms) if (!this.rooms.has(room.id)) this.rooms.set(room.id, newRoomState(room))
    const open = this.openRoomId === null ? undefined : this.rooms.get(this.openRoomId)
    for (const user of snapshot.users) if (!this.users.has(user.id)) this.users.set(user.id, { ...user, online: false })
    for (const message of snapshot.messages) {
      const state = this.rooms.get(message.roomId)
      if (state !== undefined && !state.loaded) this.sync.store(state, message)
    }
    if (open !== undefined && !open.loaded) this.sync.catchUp(open)
    this.emit({ kind: 'rooms' })
    this.emit({ kind: 'users' })
  }

  /** My notification settings for a room: notify all or none, muted until a time or not. */
  async setRoomNotifications (roomId: string, settings: { notify?: 'all' | 'none', mutedUntil?: string | null }): Promise<void> {
    const { room } = await this.api.request<{ room: Room }>('PATCH', `/api/rooms/${encodeURIComponent(roomId)}/notifications`, settings)
    this.upsertRoom(room)
    this.emit({ kind: 'rooms' })
  }

  /** Pushes skip a session with a visible socket: the server hears when the app goes to the background. */
  private tellVisibility (): void {
    this.connection.notify('visibility', { visible: document.visibilityState === 'visible' })
  }

  start (): void {
    this.connection.start()
  }

  stop (): void {
    this.connection.stop()
    this.uploads.clear()
  }

  subscribe (listener: (change: Change) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get status (): ConnectionStatus {
    return this.connection.status
  }

  displayName (userId: string): string {
    if (userId === this.me.id) return this.me.displayName
    return this.users.get(userId)?.displayName ?? 'Someone'
  }

  /** The other member of a direct room. */
  otherMember (room: Room): FamilyMember | undefined {
    const other = room.members.find((id) => id !== this.me.id)
    return other === undefined ? undefined : this.users.get(other)
  }

  /** Messages in history order, as the room shows them. */
  messagesOf (roomId: string): Message[] {
    const state = this.rooms.get(roomId)
    return state === undefined ? [] : [...state.messages.values()].sort((a, b) => a.seq - b.seq)
  }

  /** True when every other member's read marker has passed this message. */
  isReadByOthers (message: Message): boolean {
    const room = this.rooms.get(message.roomId)?.room
    if (room === undefined) return false
    const others = room.members.filter((id) => id !== this.me.id)
    return others.length > 0 && others.every((id) => (room.memberReadSeqs?.[id] ?? 0) >= message.seq)
  }

  typingIn (roomId: string): string[] {
    const state = this.rooms.get(roomId)
    if (state === undefined) return []
    const now = Date.now()
    return [...state.typing].filter(([, until]) => until > now).map(([userId]) => this.displayName(userId))
  }

  // ---- actions

  openRoom (roomId: string | null): void {
    this.openRoomId = roomId
    if (roomId === null) return
    const state = this.rooms.get(roomId)
    if (state !== undefined && !state.loaded) this.sync.catchUp(state)
    this.markOpenRoomRead()
  }

  sendText (roomId: string, body: string, replyToId?: string): void {
    if (body.trim() === '') return
    this.outbox.add(roomId, body, replyToId)
    this.emit({ kind: 'room', roomId })
    this.flushOutbox()
  }

  discardPending (clientId: string): void {
    this.uploads.remove(clientId)
    this.outbox.remove(clientId)
    if (this.openRoomId !== null) this.emit({ kind: 'room', roomId: this.openRoomId })
  }

  sendPhoto (roomId: string, file: File, caption: string, replyToId?: string): void {
    this.uploads.add(roomId, file, caption, replyToId)
  }

  /** My reaction to a message: one emoji, or null to take it back. */
  async react (messageId: string, emoji: string | null): Promise<void> {
    const frame = await this.connection.request('message.react', { messageId, emoji })
    this.receiveOwn(frame)
  }

  async edit (messageId: string, body: string): Promise<void> {
    const frame = await this.connection.request('message.edit', { messageId, body })
    this.receiveOwn(frame)
  }

  async remove (messageId: string): Promise<void> {
    const frame = await this.connection.request('message.delete', { messageId })
    this.receiveOwn(frame)
  }

  typing (roomId: string): void {
    const now = Date.now()
    if (now - (this.typingSentAt.get(roomId) ?? 0) < TYPING_SENT_EVERY_MS) return
    this.typingSentAt.set(roomId, now)
    this.connection.notify('typing', { roomId })
  }

  async loadOlder (roomId: string): Promise<void> {
    const state = this.rooms.get(roomId)
    if (state === undefined || !state.loaded || !state.hasOlder || state.loadingOlder) return
    const oldest = this.messagesOf(roomId)[0]
    if (oldest === undefined) return
    state.loadingOlder = true
    try {
      const page = await this.api.request<MessagePage>('GET', `/api/messages?roomId=${encodeURIComponent(roomId)}&before=${oldest.seq}&limit=${PAGE}`)
      for (const message of page.messages) this.sync.store(state, message)
      state.hasOlder = page.hasMore
    } finally {
      state.loadingOlder = false
      this.emit({ kind: 'room', roomId })
    }
  }

  /**
   * Loads older pages until the message with this seq is here (a reply's original, a search
   * result); false when the room's history does not reach it.
   */
  async loadUntil (roomId: string, seq: number): Promise<boolean> {
    const state = this.rooms.get(roomId)
    if (state === undefined) return false
    await this.loaded(state)
    const has = (): boolean => this.messagesOf(roomId).some((m) => m.seq <= seq)
    while (!has() && state.loaded && state.hasOlder) {
      if (state.loadingOlder) await new Promise((resolve) => setTimeout(resolve, 50))
      else await this.loadOlder(roomId)
    }
    return this.messagesOf(roomId).some((m) => m.seq === seq)
  }

  /** Resolves once the room's latest page is here (a room just opened is still fetching it). */
  private loaded (state: RoomState): Promise<void> {
    if (state.loaded) return Promise.resolve()
    return new Promise((resolve) => {
      const stop = this.subscribe((change) => {
        if (change.kind !== 'room' || change.roomId !== state.room.id || !state.loaded) return
        stop()
        resolve()
      })
      this.sync.catchUp(state)
    })
  }

  /** A profile change of mine (this device's answer) or of a room mate (`user.updated`). */
  applyProfile (user: User): void {
    if (user.id === this.me.id) this.me = user
    const known = this.users.get(user.id)
    if (known !== undefined) this.users.set(user.id, { ...known, ...user })
    this.emit({ kind: 'users' })
    this.emit({ kind: 'rooms' })
  }

  /** A direct room is named after the other member as they call themselves now. */
  roomName (room: Room): string {
    if (room.kind === 'direct') return this.otherMember(room)?.displayName ?? (room.name || 'Direct chat')
    return room.name
  }

  /** Rooms by latest activity; rooms without a message yet last, by name. */
  roomsByActivity (): Room[] {
    return [...this.rooms.values()].map((s) => s.room).sort((a, b) => {
      const at = a.lastMessage?.createdAt ?? ''
      const bt = b.lastMessage?.createdAt ?? ''
      return at === bt ? this.roomName(a).localeCompare(this.roomName(b)) : at < bt ? 1 : -1
    })
  }

  async startDirect (userId: string): Promise<string> {
    const { room } = await this.api.request<{ room: Room }>('POST', '/api/rooms/direct', { userId })
    this.upsertRoom(room)
    this.emit({ kind: 'rooms' })
    return room.id
  }

  // ---- the socket

  private socketUrl (): string {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    return `${scheme}://${location.host}/ws?token=${encodeURIComponent(this.api.token ?? '')}`
  }

  private onStatus (status: ConnectionStatus): void {
    // Cut off, the page cannot know who is online: nobody is shown so until `ready` tells again.
    if (status === 'offline') this.forgetPresence()
    this.emit({ kind: 'status' })
    if (status !== 'online') return
    this.flushOutbox()
    this.uploads.retry()
  }

  private onFrame (frame: Envelope): void {
    const data = frame.data ?? {}
    switch (frame.type) {
      case 'ready': return this.onReady(data as unknown as ReadyData)
      case 'message.new':
      case 'message.updated': return this.onMessage((data as { message: Message }).message, frame.type === 'message.new')
      case 'read': return this.onRead(data as { roomId: string, userId: string, seq: number })
      case 'typing': return this.onTyping(data as { roomId: string, userId: string })
      case 'presence': return this.onPresence(data as { userId: string, online: boolean })
      case 'room.joined': return this.onJoined((data as { room: Room }).room)
      case 'user.updated': return this.applyProfile((data as { user: User }).user)
    }
  }

  /** Added to a room (by an admin, or a new direct chat): it appears in the list at once. */
  private onJoined (room: Room): void {
    this.upsertRoom(room)
    this.refreshUsers()
    this.emit({ kind: 'rooms' })
  }

  private onReady (data: ReadyData): void {
    this.me = data.user
    // A new socket counts as visible.
    if (document.visibilityState !== 'visible') this.tellVisibility()
    const seen = new Set<string>()
    for (const room of data.rooms) {
      seen.add(room.id)
      const state = this.upsertRoom(room)
      // Whatever happened while we were away comes from the change feed; an open room that only
      // has what the device kept (it opened offline) fetches its latest page.
      if (state.loaded ? room.lastSeq > state.applied : room.id === this.openRoomId) this.sync.catchUp(state)
    }
    for (const id of this.rooms.keys()) if (!seen.has(id)) this.rooms.delete(id)
    this.refreshUsers()
    this.emit({ kind: 'rooms' })
    this.markOpenRoomRead()
  }

  private upsertRoom (room: Room): RoomState {
    const state = this.rooms.get(room.id)
    if (state === undefined) {
      const created = newRoomState(room)
      this.rooms.set(room.id, created)
      if (room.id === this.openRoomId) this.sync.catchUp(created)
      return created
    }
    const known = state.room.lastMessage
    state.room = { ...room, lastSeq: Math.max(room.lastSeq, state.room.lastSeq) }
    if (known !== null && (room.lastMessage === null || known.eventSeq > room.lastMessage.eventSeq)) state.room.lastMessage = known
    return state
  }

  /** The conversation list's preview follows the newest message, in its current state. */
  private noteLatest (room: Room, message: Message): void {
    const last = room.lastMessage
    if (last === null || message.seq > last.seq || (message.id === last.id && message.eventSeq > last.eventSeq)) room.lastMessage = message
  }

  private async refreshUsers (): Promise<void> {
    try {
      const { users } = await this.api.request<{ users: FamilyMember[] }>('GET', '/api/users')
      this.users.clear()
      for (const user of users) this.users.set(user.id, user)
      this.emit({ kind: 'users' })
    } catch {}
  }

  private async refreshRooms (): Promise<void> {
    try {
      const { rooms } = await this.api.request<{ rooms: Room[] }>('GET', '/api/rooms')
      for (const room of rooms) this.upsertRoom(room)
      this.emit({ kind: 'rooms' })
    } catch {}
  }

  private onMessage (message: Message, isNew: boolean): void {
    const state = this.rooms.get(message.roomId)
    // A room we did not know: someone started a direct chat with us.
    if (state === undefined) {
      this.refreshRooms()
      return
    }
    const isFresh = message.eventSeq > state.room.lastSeq
    state.room.lastSeq = Math.max(state.room.lastSeq, message.eventSeq)
    this.noteLatest(state.room, message)
    if (isNew && isFresh && message.senderId !== this.me.id && !this.isVisible(message.roomId)) state.room.unread++
    if (message.senderId !== this.me.id) state.typing.delete(message.senderId)
    this.sync.receive(state, message)
    this.emit({ kind: 'rooms' })
    this.markOpenRoomRead()
  }

  private settlePending (clientId: string): void {
    this.outbox.remove(clientId)
    this.uploads.remove(clientId)
  }

  /** The answer to our own send/edit/delete: stored at once, applied when its event comes. */
  private receiveOwn (frame: Envelope): void {
    const message = (frame.data as { message?: Message } | undefined)?.message
    if (message === undefined) return
    const state = this.rooms.get(message.roomId)
    if (state === undefined) return
    this.sync.receiveOwn(state, message)
    this.noteLatest(state.room, message)
    this.emit({ kind: 'room', roomId: message.roomId })
    this.emit({ kind: 'rooms' })
  }

  private flushOutbox (): void {
    if (this.connection.status !== 'online') return
    for (const item of this.outbox.all()) {
      if (item.error !== undefined || this.sending.has(item.clientId)) continue
      this.sending.add(item.clientId)
      const reply = item.replyToId === undefined ? {} : { replyToId: item.replyToId }
      this.connection.request('message.send', { roomId: item.roomId, body: item.body, clientId: item.clientId, ...reply })
        .then((frame) => this.receiveOwn(frame), (error: unknown) => {
          // Lost connections and floods are retried; a refusal (too long, no such room) is shown.
          if (error instanceof ApiError && !error.isNetwork && error.code !== 'rate_limited') this.outbox.fail(item.clientId, error.message)
          else if (error instanceof ApiError && error.code === 'rate_limited') setTimeout(() => this.flushOutbox(), 1000)
          this.emit({ kind: 'room', roomId: item.roomId })
        })
        .finally(() => this.sending.delete(item.clientId))
    }
  }

  private onRead ({ roomId, userId, seq }: { roomId: string, userId: string, seq: number }): void {
    const room = this.rooms.get(roomId)?.room
    if (room === undefined) return
    room.memberReadSeqs = { ...room.memberReadSeqs, [userId]: Math.max(seq, room.memberReadSeqs?.[userId] ?? 0) }
    if (userId === this.me.id && seq > room.lastReadSeq) {
      room.lastReadSeq = seq
      // Read on another device: what is left unread here is only what came after.
      if (seq >= room.lastSeq) room.unread = 0
    }
    this.emit({ kind: 'rooms' })
    this.emit({ kind: 'room', roomId })
  }

  private onTyping ({ roomId, userId }: { roomId: string, userId: string }): void {
    const state = this.rooms.get(roomId)
    if (state === undefined) return
    state.typing.set(userId, Date.now() + TYPING_SHOWN_MS)
    this.emit({ kind: 'room', roomId })
    setTimeout(() => this.emit({ kind: 'room', roomId }), TYPING_SHOWN_MS + 50)
  }

  private forgetPresence (): void {
    let changed = false
    for (const user of this.users.values()) {
      changed ||= user.online
      user.online = false
    }
    if (changed) this.emit({ kind: 'users' })
  }

  private onPresence ({ userId, online }: { userId: string, online: boolean }): void {
    const user = this.users.get(userId)
    if (user === undefined) {
      this.refreshUsers()
      return
    }
    user.online = online
    this.emit({ kind: 'users' })
  }

  private isVisible (roomId: string): boolean {
    return this.openRoomId === roomId && document.visibilityState === 'visible'
  }

  /**
   * The open room, when the page is visible, is read up to its latest event — once per burst of
   * events (a short delay), not once per message.
   */
  private markOpenRoomRead (): void {
    if (this.readTimer !== undefined) return
    this.readTimer = setTimeout(() => {
      this.readTimer = undefined
      this.sendReadMarker()
    }, READ_DELAY_MS)
  }

  private sendReadMarker (): void {
    const roomId = this.openRoomId
    if (roomId === null || !this.isVisible(roomId) || this.readPending.has(roomId)) return
    const room = this.rooms.get(roomId)?.room
    if (room === undefined || this.connection.status !== 'online' || room.lastSeq <= room.lastReadSeq) return
    const seq = room.lastSeq
    this.readPending.add(roomId)
    this.connection.request('read', { roomId, seq }).then(() => {
      this.readPending.delete(roomId)
      this.readHere(roomId)
      room.lastReadSeq = Math.max(room.lastReadSeq, seq)
      if (room.lastReadSeq >= room.lastSeq) room.unread = 0
      this.emit({ kind: 'rooms' })
      // Events that arrived while this one was on its way.
      this.markOpenRoomRead()
    }, () => this.readPending.delete(roomId))
  }

  private emit (change: Change): void {
    for (const listener of this.listeners) listener(change)
  }
}
