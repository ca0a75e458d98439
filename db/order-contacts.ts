import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import { storableText } from './storable-text.js'

/** Where an order's notification mails go and in which language; null for what is not known. */
export interface OrderContact {
  email: string | null
  language: string | null
}

/**
 * Writes the order's contact on its read-model row (which the placement has
 * just written, or the workflow before it). Only at placement: the workflow's
 * own writes of the row leave these columns alone.
 */
export async function recordOrderContact(db: Kysely<Database>, orderId: string, contact: OrderContact): Promise<void> {
  await db
    .updateTable('orders')
    .set({
      contact_email: contact.email === null ? null : storableText(contact.email),
      contact_language: contact.language,
    })
    .where('id', '=', orderId)
    .execute()
}
