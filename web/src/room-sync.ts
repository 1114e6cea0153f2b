import type { Message, MessagePage, Room } from './types.js'

/** What a room holds on this device. */
export interface RoomState {
  room: Room
  messages: Map<string, Message>
  /** The latest page has been fetched; from then on every event is applied. */
  loaded: boolean
  /** A fetch or a sync is running: live events wait in `buffered`. */
  catchingUp: boolean
  buffered: Message[]
  /** Every event up to this number is applied (docs/protocol.md, "The room log"). */
  applied: number
  hasOlder: boolean
  loadingOlder: boolean
  typing: Map<string, number>
}

export const newRoomState = (room: Room): RoomState => ({
  room, messages: new Map(), loaded: false, catchingUp: false, buffered: [], applied: 0, hasOlder: false, loadingOlder: false, typing: new Map()
})

export interface RoomSyncHost {
  /** The room's latest page (`GET /api/messages`). */
  latestPage (roomId: string): Promise<MessagePage>
  /** The room's events after `since` (the `sync` request). */
  eventsSince (roomId: string, since: number): Promise<MessagePage>
  /** A message of ours is stored by the server: its pending copy can go. */
  ownStored (clientId: string): void
  changed (roomId: string): void
  /** A catch-up ended (complete or not). */
  caughtUp (roomId: string): void
}

/**
 * Keeps each room's messages exactly as its log says: events are applied in eventSeq order, a jump
 * means something was missed and starts a catch-up (the latest page the first time, then `sync`
 * from `applied`), and events arriving meanwhile wait their turn.
 */
export class RoomSync {
  constructor (private readonly myId: string, private readonly host: RoomSyncHost) {}

  /** A live event: applied in order; a jump in eventSeq means something was missed, so sync. */
  receive (state: RoomState, message: Message): void {
    if (state.catchingUp) {
      state.buffered.push(message)
      return
    }
    if (!state.loaded || message.eventSeq <= state.applied) return
    if (message.eventSeq > state.applied + 1) {
      state.buffered.push(message)
      this.catchUp(state)
      return
    }
    this.apply(state, message)
  }

  /** The answer to our own send/edit/delete: stored at once, applied when its event comes. */
  receiveOwn (state: RoomState, message: Message): void {
    if (state.loaded && message.eventSeq === state.applied + 1 && !state.catchingUp) this.apply(state, message)
    else this.store(state, message)
  }

  /** Keeps the newest version of a message, whatever order versions arrive in. */
  store (state: RoomState, message: Message): void {
    const known = state.messages.get(message.id)
    if (known === undefined || known.eventSeq <= message.eventSeq) state.messages.set(message.id, message)
    if (message.clientId !== null && message.senderId === this.myId) this.host.ownStored(message.clientId)
  }

  /** Fetches the latest page of a room not loaded yet, or syncs one that missed events. */
  async catchUp (state: RoomState): Promise<void> {
    if (state.catchingUp) return
    state.catchingUp = true
    const roomId = state.room.id
    let complete = false
    try {
      if (!state.loaded) {
        const page = await this.host.latestPage(roomId)
        for (const message of page.messages) this.store(state, message)
        state.applied = page.lastSeq
        state.hasOlder = page.hasMore
        state.loaded = true
      } else {
        for (let more = true; more;) {
          const page = await this.host.eventsSince(roomId, state.applied)
          for (const message of page.messages) this.apply(state, message)
          more = page.hasMore && page.messages.length > 0
        }
      }
      complete = true
    } catch {
      // Offline: the next `ready` starts again from `applied`.
    } finally {
      state.catchingUp = false
    }
    if (complete) {
      const buffered = state.buffered.sort((a, b) => a.eventSeq - b.eventSeq)
      state.buffered = []
      for (const message of buffered) this.receive(state, message)
    }
    this.host.changed(roomId)
    this.host.caughtUp(roomId)
  }

  private apply (state: RoomState, message: Message): void {
    this.store(state, message)
    state.applied = Math.max(state.applied, message.eventSeq)
    this.host.changed(state.room.id)
  }
}
