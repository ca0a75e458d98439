import type { NotificationView } from '../api/schemas/notifications.js'
import type { Kysely } from '../db/connection.js'
import { findInboxRow, markInboxRowRead } from '../db/notification-inbox.js'
import type { Database } from '../db/schema.js'
import type { Caller } from './caller.js'
import { NotificationNotFound } from './commerce-errors.js'
import { notificationViewFromRow } from './notification-view.js'

/** A notification id as the API shows it: digits. */
function notificationIdOf(id: string): number | null {
  if (!/^[1-9][0-9]{0,14}$/.test(id)) return null
  return Number(id)
}

/**
 * Marks one of the caller's notifications read (again is harmless: the first
 * time stays) and returns it.
 *
 * @throws NotificationNotFound when it is not the caller's, or not a notification.
 */
export async function markNotificationRead(db: Kysely<Database>, caller: Caller, id: string): Promise<NotificationView> {
  const number = notificationIdOf(id)
  if (number === null || !(await markInboxRowRead(db, caller.subject, number))) throw new NotificationNotFound(id)
  const row = await findInboxRow(db, number)
  const view = row ? notificationViewFromRow(row) : null
  if (!view) throw new NotificationNotFound(id)
  return view
}
