import type { ErrorBody } from './types.js'

/** A failed request: `status` 0 means the network, not the server, failed. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor (status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }

  get isNetwork (): boolean {
    return this.status === 0
  }
}

function toApiError (status: number, body: unknown): ApiError {
  const error = body as Partial<ErrorBody> | null
  return new ApiError(status, error?.code ?? 'internal', error?.message ?? `Request failed (${status})`)
}

/** The HTTP API with this device's token. */
export class Api {
  token: string | null = null
  /** Called when the server says the token is no longer good (expired, revoked). */
  onUnauthorized: () => void = () => {}

  async request<T> (method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {}
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body) })
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached')
    }
    const data: unknown = res.status === 204 ? null : await res.json().catch(() => null)
    if (!res.ok) {
      const error = toApiError(res.status, data)
      // Only `unauthorized` ends the session; `invalid_credentials` is a mistyped password.
      if (error.code === 'unauthorized' && this.token !== null) this.onUnauthorized()
      throw error
    }
    return data as T
  }

  /** A multipart upload with progress (fetch cannot report upload progress; XHR can). */
  upload<T> (path: string, form: FormData, onProgress: (fraction: number) => void, method = 'POST'): Promise<T> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open(method, path)
      if (this.token !== null) xhr.setRequestHeader('authorization', `Bearer ${this.token}`)
      xhr.responseType = 'json'
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total)
      }
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr.response as T)
        const error = toApiError(xhr.status, xhr.response)
        if (error.code === 'unauthorized') this.onUnauthorized()
        reject(error)
      }
      xhr.onerror = () => reject(new ApiError(0, 'network', 'The server cannot be reached'))
      xhr.send(form)
    })
  }
}
