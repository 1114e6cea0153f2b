import { join } from 'node:path'

/** family-chat-2026-12-02T17-05-09Z.tar: sorts by time, and says what it is to whoever finds it. */
export const BACKUP_NAME = /^family-chat-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.tar$/

export function backupFileName (at: Date = new Date()): string {
  return `family-chat-${at.toISOString().slice(0, 19).replaceAll(':', '-')}Z.tar`
}

export const defaultBackupPath = (dir: string, at?: Date): string => join(dir, backupFileName(at))
