import type { Api } from './api.js'
import type { User } from './types.js'

/** My profile on the server: each call answers with me as everyone now sees me. */
export class Profile {
  constructor (private readonly api: Api) {}

  async rename (displayName: string): Promise<User> {
    return (await this.api.request<{ user: User }>('PATCH', '/api/users/me', { displayName })).user
  }

  async setPhoto (photo: Blob, name: string, onProgress: (fraction: number) => void = () => {}): Promise<User> {
    const form = new FormData()
    form.append('file', photo, name)
    return (await this.api.upload<{ user: User }>('/api/users/me/avatar', form, onProgress, 'PUT')).user
  }

  async removePhoto (): Promise<User> {
    return (await this.api.request<{ user: User }>('DELETE', '/api/users/me/avatar')).user
  }

  /** Ends every other session; the answer is this session's new token. */
  async changePassword (currentPassword: string, newPassword: string): Promise<string> {
    return (await this.api.request<{ token: string }>('POST', '/api/auth/password', { currentPassword, newPassword })).token
  }
}
