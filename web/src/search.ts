import type { Api } from './api.js'
import type { Message } from './types.js'

export interface SearchPage {
  messages: Message[]
  nextCursor: string | null
}

/** `GET /api/search`: newest first, in every room of mine or in one. */
export function searchMessages (api: Api, q: string, roomId: string | null, cursor: string | null): Promise<SearchPage> {
  const params = new URLSearchParams({ q, limit: '20' })
  if (roomId !== null) params.set('roomId', roomId)
  if (cursor !== null) params.set('cursor', cursor)
  return api.request<SearchPage>('GET', `/api/search?${params.toString()}`)
}
