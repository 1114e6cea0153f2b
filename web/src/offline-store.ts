import type { FamilyMember, Message, Room } from './types.js'

/** What a device keeps of the family to show without a network: the list, the people, recent messages. */
export interface Snapshot {
  rooms: Room[]
  users: FamilyMember[]
  messages: Message[]
}

const DB_NAME = 'family-chat'
const STORE = 'snapshots'
/** Per room; the newest ones are what someone opening the app on a train wants to read. */
export const KEPT_PER_ROOM = 50

function open (): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1)
    request.onupgradeneeded = () => request.result.createObjectStore(STORE)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'))
  })
}

async function run<T> (mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open()
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE))
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'))
    })
  } finally {
    db.close()
  }
}

/**
 * The device's copy, one record per user (several people may share a tablet). Written after
 * changes settle, read once at start; a browser without IndexedDB (private mode) simply has none.
 */
export class OfflineStore {
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor (private readonly userId: string) {}

  async load (): Promise<Snapshot | null> {
    try {
      return (await run('readonly', (store) => store.get(this.userId) as IDBRequest<Snapshot | undefined>)) ?? null
    } catch {
      return null
    }
  }

  /** Saves what `take` answers once changes have been quiet for a moment. */
  saveSoon (take: () => Snapshot): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      run('readwrite', (store) => store.put(take(), this.userId)).catch(() => {})
    }, 500)
  }

  async clear (): Promise<void> {
    clearTimeout(this.timer)
    await run('readwrite', (store) => store.delete(this.userId)).catch(() => {})
  }
}
