import type { NotificationView } from '../api/schemas/notifications.js'
import type { Kysely } from '../db/connection.js'
import { findInboxRow, listInboxRows } from '../db/notification-inbox.js'
import type { Database } from '../db/schema.js'
import type { Caller } from './caller.js'
import { notificationViewFromRow } from './notification-view.js'

export interface NotificationPageOptions {
  unreadOnly: boolean
  limit: number
  /** A cursor from the previous page (see {@link decodeNotificationCursor}), or null for the first. */
  before: number | null
}

/** The position after `id` as an opaque cursor. */
export function encodeNotificationCursor(id: number): string {
  return Buffer.from(JSON.stringify({ before: id }), 'utf8').toString('base64url')
}

/** Reads a cursor made by {@link encodeNotificationCursor}; null when it is not one. */
export function decodeNotificationCursor(cursor: string): number | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    const before = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['before'] : null
    return typeof before === 'number' && Number.isSafeInteger(before) && before > 0 ? before : null
  } catch {
    return null
  }
}

/**
 * The caller's own notifications, newest first, a page at a time. Everyone
 * sees only their own (an admin's inbox holds what was written for them).
 */
export async function readNotifications(
  db: Kysely<Database>,
  caller: Caller,
  options: NotificationPageOptions,
): Promise<{ data: NotificationView[]; nextCursor: string | null }> {
  const rows = await listInboxRows(db, { customerId: caller.subject, ...options })
  const page = rows.slice(0, options.limit)
  const last = page.at(-1)
  return {
    data: page.map(notificationViewFromRow).filter((view) => view !== null),
    nextCursor: rows.length > options.limit && last ? encodeNotificationCursor(last.id) : null,
  }
}

/** One notification for its order's event stream, or null (it is gone, or has no words). */
export async function readNotificationForStream(db: Kysely<Database>, id: number): Promise<NotificationView | null> {
  const row = await findInboxRow(db, id)
  return row ? notificationViewFromRow(row) : null
}
